//! The vendor paths the mock answers, with what each does: the route table dispatches on them,
//! the 404 lists them, the journal and the metrics label requests with their static text.

/// The vendor routes, for dispatch and for the 404 answer.
pub const VENDOR_ROUTES: &[(&str, &str, &str)] = &[
    ("POST", "/api/paas/idcardocrapp", "recognise one side of an ID card"),
    ("POST", "/api/paas/ocrapp", "old name of /api/paas/idcardocrapp"),
    ("GET", "/api/oauth2/access_token", "issue an access token"),
    ("GET", "/api/oauth2/api_ticket", "issue a SIGN or NONCE ticket"),
    ("GET", "/api/server/getOcrResult", "the stored result and images of an order"),
    ("POST", "/api/paas/bankcardocrapp", "recognise the front of a bank card"),
    ("GET", "/api/server/getBankCardOcrResult", "the stored bank-card result and image of an order"),
    ("POST", "/api/server/h5/geth5faceid", "face (H5): upload who is verified, get an h5faceId and optimalDomain"),
    ("GET", "/api/web/login", "face (H5): the login URL a partner sends the browser to"),
    ("GET", "/api/pc/login", "face (PC H5): the login URL a partner sends the browser to"),
    ("POST", "/api/server/getfaceid", "face (App SDK): upload who is verified, get a faceId"),
    ("POST", "/api/server/getAdvFaceId", "face (enhanced SDK/H5): get a faceId and optimalDomain"),
    ("POST", "/api/v2/base/queryfacerecord", "face: the result, photo and video of an order"),
    ("GET", "/api/server/sync", "face: the older result query"),
    ("POST", "/api/v2/base/queryphotoinfo", "face: the photos of an order"),
];

/// `path` as the route table's static text, when it is a vendor path: the journal and the metrics
/// label requests with it without copying the path.
pub fn vendor_path(path: &str) -> Option<&'static str> {
    VENDOR_ROUTES.iter().find(|(_, p, _)| *p == path).map(|(_, p, _)| *p)
}

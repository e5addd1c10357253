// A partner-style client in Java (JDK 11+, no dependencies), signing the way WeBank's docs describe:
// values + ticket sorted with String.compareTo, joined, SHA-1, upper-case hex.
//
//   java examples/JavaClient.java http://127.0.0.1:8080
//
// Exits non-zero if any check fails.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

public class JavaClient {
    static final String APP = "TIDAMOCK", TICKET = "idocr-mock-sign-ticket", VERSION = "1.0.0";
    // A 1x1 PNG, generated: no real card image anywhere.
    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    static int failures = 0;

    static String sign(String ticket, String... values) throws Exception {
        List<String> parts = new ArrayList<>();
        for (String v : values) if (v != null && !v.isEmpty()) parts.add(v);
        parts.add(ticket);
        Collections.sort(parts); // String.compareTo: byte order for ASCII
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(String.join("", parts).getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) hex.append(String.format("%02X", b));
        return hex.toString();
    }

    static String body(String orderNo, String cardType, String nonce, String image, String sign) {
        return "{\"webankAppId\":\"" + APP + "\",\"version\":\"" + VERSION + "\",\"nonce\":\"" + nonce + "\",\"orderNo\":\"" + orderNo
                + "\",\"cardType\":\"" + cardType + "\",\"idcardStr\":\"" + image + "\",\"sign\":\"" + sign + "\"}";
    }

    static String field(String json, String name) {
        int i = json.indexOf("\"" + name + "\":\"");
        if (i < 0) return null;
        int start = i + name.length() + 4;
        return json.substring(start, json.indexOf('"', start));
    }

    static void check(String what, boolean ok, String detail) {
        System.out.println((ok ? "ok   " : "FAIL ") + what + "  " + detail);
        if (!ok) failures++;
    }

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        HttpClient http = HttpClient.newHttpClient();
        String nonce = "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T";
        String order = "java" + System.currentTimeMillis();
        String[][] cases = {
            // what, orderNo, cardType, nonce, image, sign-override, expected code
            {"front", order, "0", nonce, PNG, null, "0"},
            {"back", order, "1", nonce, PNG, null, "0"},
            {"wrong sign", "j1", "0", nonce, PNG, "0000000000000000000000000000000000000000", "400105"},
            {"lower-case sign", "j2", "0", nonce, PNG, "lower", "0"},
            {"short nonce", "j3", "0", "abc", PNG, null, "400101"},
            {"over-long orderNo", "o".repeat(33), "0", nonce, PNG, null, "66660000"},
            {"3.1 MB image", "j5", "0", nonce, "A".repeat(3_250_000), null, "66660000"},
            {"text as image", "j6", "0", nonce, Base64.getEncoder().encodeToString("plain text".getBytes()), null, "66661010"},
        };
        for (String[] c : cases) {
            String s = sign(TICKET, APP, c[1], c[3], VERSION);
            if ("lower".equals(c[5])) s = s.toLowerCase();
            else if (c[5] != null) s = c[5];
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/paas/idcardocrapp"))
                    .header("Content-Type", "application/json;charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body(c[1], c[2], c[3], c[4], s))).build();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String code = field(res.body(), "code");
            String extra = "0".equals(code) ? ("0".equals(c[2]) ? field(res.body(), "idcard") : field(res.body(), "validDate")) : field(res.body(), "msg");
            check(c[0] + ": HTTP 200, code " + c[6], res.statusCode() == 200 && c[6].equals(code), code + " " + extra);
        }
        HttpRequest form = HttpRequest.newBuilder(URI.create(base + "/api/paas/idcardocrapp"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("webankAppId=TIDAMOCK")).build();
        HttpResponse<String> res = http.send(form, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        check("form body: 400101", "400101".equals(field(res.body(), "code")), field(res.body(), "msg"));
        System.out.println(failures == 0 ? "all checks passed" : failures + " check(s) failed");
        System.exit(failures == 0 ? 0 : 1);
    }
}

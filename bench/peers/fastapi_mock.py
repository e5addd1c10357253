"""What a partner writes in an afternoon: a FastAPI mock of idcardocrapp that verifies the sign,
plus the token flow (handing out the static SIGN ticket). Run by bench/run.sh as
`uvicorn fastapi_mock:app --port PORT` (one worker: the target is pinned to one core).
"""
import hashlib
import secrets
import time
from base64 import b64decode

from fastapi import FastAPI, Request

APP_ID, VERSION, SECRET, TICKET = "TIDAMOCK", "1.0.0", "idocr-mock-secret", "idocr-mock-sign-ticket"
app = FastAPI()
tokens = set()


def stamp():
    now = time.strftime("%Y%m%d%H%M%S")
    return {"bizSeqNo": now + secrets.token_hex(9)[:18], "transactionTime": now}


def error(code, msg):
    return {"code": code, "msg": msg, **stamp()}


@app.post("/api/paas/idcardocrapp")
async def idcardocrapp(request: Request):
    try:
        body = await request.json()
    except ValueError:
        return error("400101", "不合法的请求:body is not JSON")
    fields = ["webankAppId", "version", "nonce", "orderNo", "sign", "idcardStr"]
    if any(not isinstance(body.get(k), str) for k in fields):
        return error("400101", "不合法的请求:missing field")
    app_id, order_no, nonce = body["webankAppId"], body["orderNo"], body["nonce"]
    expected = hashlib.sha1("".join(sorted([app_id, order_no, nonce, body["version"], TICKET])).encode())
    if body["sign"].upper() != expected.hexdigest().upper():
        return error("400105", "身份验证不通过")
    try:
        image = b64decode(body["idcardStr"], validate=True)
    except ValueError:
        return error("66661005", "图片解码失败")
    if not image.startswith((b"\x89PNG", b"\xff\xd8", b"BM")):
        return error("66661010", "图片格式不支持")
    s = stamp()
    result = {"orderNo": order_no, "name": "张三", "sex": "男", "nation": "汉", "birth": "19900101",
              "address": "北京市东城区示例路1号", "idcard": "110101199001011234", "warning": "00000000",
              "clarity": "80", "multiWarning": "00000000", "retry": "0", "success": False,
              "ocrId": secrets.token_hex(16), **s}
    return {"code": "0", "msg": "请求成功", "result": result, **s}


@app.get("/api/oauth2/access_token")
async def access_token(app_id: str = "", secret: str = "", grant_type: str = "", version: str = ""):
    if app_id != APP_ID or secret != SECRET or grant_type != "client_credential":
        return error("400104", "无权限访问此请求")
    token = secrets.token_urlsafe(66)[:90]
    tokens.add(token)
    if len(tokens) > 10000:
        tokens.pop()
    return {"code": "0", "msg": "请求成功", "success": True, "access_token": token, "expire_in": 7200, **stamp()}


@app.get("/api/oauth2/api_ticket")
async def api_ticket(app_id: str = "", access_token: str = "", type: str = "", version: str = ""):
    if access_token not in tokens:
        return error("15", "access_token 已失效")
    return {"code": "0", "msg": "请求成功", "success": True,
            "tickets": [{"value": TICKET, "expire_in": 3600}], **stamp()}

function (config) {
    // The whole mock in one injection: token flow (static SIGN ticket) and a sign-verifying OCR.
    var crypto = require('crypto');
    var TICKET = 'idocr-mock-sign-ticket';
    var headers = config.request.headers || {};
    // mountebank closes every connection by default; keep it open unless the client asked to close.
    var keep = !/close/i.test(String(headers.Connection || headers.connection || ''));
    var now = new Date().toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
    var stamp = { bizSeqNo: now + crypto.randomBytes(9).toString('hex'), transactionTime: now };
    function reply(obj) {
        return { statusCode: 200, headers: { 'Content-Type': 'application/json', Connection: keep ? 'keep-alive' : 'close' },
                 body: JSON.stringify(Object.assign(obj, stamp)) };
    }
    var req = config.request, q = req.query || {};
    if (req.method === 'GET' && req.path === '/api/oauth2/access_token') {
        if (q.app_id !== 'TIDAMOCK' || q.secret !== 'idocr-mock-secret') {
            return reply({ code: '400104', msg: '无权限访问此请求' });
        }
        return reply({ code: '0', msg: '请求成功', success: true,
                       access_token: crypto.randomBytes(45).toString('hex'), expire_in: 7200 });
    }
    if (req.method === 'GET' && req.path === '/api/oauth2/api_ticket') {
        return reply({ code: '0', msg: '请求成功', success: true, tickets: [{ value: TICKET, expire_in: 3600 }] });
    }
    if (req.method !== 'POST' || req.path !== '/api/paas/idcardocrapp') {
        return { statusCode: 404, body: 'no such route' };
    }
    var b;
    try { b = JSON.parse(req.body); } catch (e) { return reply({ code: '400101', msg: '不合法的请求:body is not JSON' }); }
    var values = [b.webankAppId, b.orderNo, b.nonce, b.version, TICKET];
    if (values.some(function (v) { return typeof v !== 'string'; }) || typeof b.sign !== 'string') {
        return reply({ code: '400101', msg: '不合法的请求:missing field' });
    }
    var expected = crypto.createHash('sha1').update(values.sort().join('')).digest('hex').toUpperCase();
    if (b.sign.toUpperCase() !== expected) {
        return reply({ code: '400105', msg: '身份验证不通过' });
    }
    var image = Buffer.from(b.idcardStr || '', 'base64');
    if (image.length === 0) {
        return reply({ code: '66661005', msg: '图片解码失败' });
    }
    return reply({ code: '0', msg: '请求成功', result: { orderNo: b.orderNo, name: '张三', sex: '男', nation: '汉',
        birth: '19900101', address: '北京市东城区示例路1号', idcard: '110101199001011234', warning: '00000000',
        clarity: '80', multiWarning: '00000000', retry: '0', success: false } });
}

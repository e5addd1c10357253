<?php
// A partner-style client in PHP (7.4+, the curl extension): signs its own requests the way the
// WeBank docs describe and checks what idocr-mock answers.
//
//   php examples/php-client.php http://127.0.0.1:8080
//
// Exits non-zero if any check fails.

$BASE = $argv[1] ?? "http://127.0.0.1:8080";
const APP = "TIDAMOCK";
const TICKET = "idocr-mock-sign-ticket";
const VERSION = "1.0.0";

// Sign rule: values + ticket, sorted as strings, joined, SHA-1, upper-case hex.
function sign(array $values, string $ticket): string {
    $parts = array_values(array_filter(array_merge($values, [$ticket]), fn($v) => $v !== ""));
    sort($parts, SORT_STRING);
    return strtoupper(sha1(implode("", $parts)));
}

function nonce(): string {
    $alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    $out = "";
    for ($i = 0; $i < 32; $i++) $out .= $alphabet[random_int(0, strlen($alphabet) - 1)];
    return $out;
}

// A tiny generated PNG (4x4 grey), built with zlib: no real card image anywhere.
function png(): string {
    $chunk = fn(string $type, string $data) => pack("N", strlen($data)) . $type . $data . pack("N", crc32($type . $data));
    $ihdr = pack("NNCCCCC", 4, 4, 8, 0, 0, 0, 0);
    $raw = str_repeat("\x00\x80\x80\x80\x80", 4);
    return "\x89PNG\r\n\x1a\n" . $chunk("IHDR", $ihdr) . $chunk("IDAT", gzcompress($raw)) . $chunk("IEND", "");
}

function body(string $orderNo, string $cardType, array $overrides = []): array {
    $b = array_merge(["webankAppId" => APP, "version" => VERSION, "nonce" => nonce(), "orderNo" => $orderNo,
        "cardType" => $cardType, "idcardStr" => base64_encode(png())], $overrides);
    $b["sign"] = $overrides["sign"] ?? sign([$b["webankAppId"], $b["orderNo"], $b["nonce"], $b["version"]], TICKET);
    return $b;
}

function ocr($payload, string $contentType = "application/json;charset=UTF-8"): array {
    global $BASE;
    $reason = "";
    $ch = curl_init("$BASE/api/paas/idcardocrapp");
    curl_setopt_array($ch, [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => is_string($payload) ? $payload : json_encode($payload, JSON_UNESCAPED_UNICODE),
        CURLOPT_HTTPHEADER => ["Content-Type: $contentType", "Expect:"],
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT => 30,
        CURLOPT_HEADERFUNCTION => function ($ch, $line) use (&$reason) {
            if (stripos($line, "x-idocr-mock-reason:") === 0) $reason = trim(substr($line, 20));
            return strlen($line);
        },
    ]);
    $raw = curl_exec($ch);
    if ($raw === false) { echo "FAIL request: " . curl_error($ch) . "\n"; exit(1); }
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return [$status, $reason, json_decode($raw, true) ?? []];
}

$failures = 0;
function check(string $what, bool $ok, string $detail = ""): void {
    global $failures;
    echo ($ok ? "ok  " : "FAIL") . " $what" . ($detail !== "" ? "  $detail" : "") . "\n";
    if (!$ok) $failures++;
}

// GB 11643 check digit.
function checkDigit(string $id17): string {
    $w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    $sum = 0;
    for ($i = 0; $i < 17 && $i < strlen($id17); $i++) $sum += intval($id17[$i]) * $w[$i];
    return "10X98765432"[$sum % 11];
}

$order = "php" . intval(microtime(true) * 1000);
[, , $front] = ocr(body($order, "0"));
$r = $front["result"] ?? [];
$id = $r["idcard"] ?? "";
check("front: code 0", ($front["code"] ?? null) === "0", ($front["code"] ?? "") . " " . ($front["msg"] ?? ""));
check("front: check digit", strlen($id) === 18 && $id[17] === checkDigit(substr($id, 0, 17)), $id);
check("front: birth = digits 7-14", ($r["birth"] ?? null) === substr($id, 6, 8), $r["birth"] ?? "");
check("front: sex = parity of digit 17", strlen($id) === 18 && ($r["sex"] ?? null) === (intval($id[16]) % 2 ? "男" : "女"), $r["sex"] ?? "");
check("front: success is boolean false", array_key_exists("success", $r) && $r["success"] === false);
[, , $back] = ocr(body($order, "1"));
$b = $back["result"] ?? [];
check("back: code 0", ($back["code"] ?? null) === "0");
check("back: validDate yyyyMMdd-yyyyMMdd|长期", preg_match('/^\d{8}-(\d{8}|长期)$/u', $b["validDate"] ?? "") === 1, $b["validDate"] ?? "");
check("back: authority", preg_match('/公安局.+分局$/u', $b["authority"] ?? "") === 1, $b["authority"] ?? "");
check("back: no front fields", !array_key_exists("name", $b) && !array_key_exists("idcard", $b));

$cases = [
    ["wrong sign", body("o1", "0", ["sign" => str_repeat("0", 40)]), "400105"],
    ["short nonce", body("o2", "0", ["nonce" => "abc"]), "400101"],
    ["over-long orderNo", body(str_repeat("o", 33), "0"), "66660000"],
    ["3.1 MB image", body("o4", "0", ["idcardStr" => str_repeat("A", 3250000)]), "66660000"],
    ["text file as image", body("o5", "0", ["idcardStr" => base64_encode("hello, I am text\n")]), "66661010"],
];
foreach ($cases as [$what, $payload, $code]) {
    [$status, $reason, $a] = ocr($payload);
    check("$what: HTTP 200 code $code", $status === 200 && ($a["code"] ?? null) === $code, ($a["code"] ?? "") . " " . ($a["msg"] ?? "") . " | $reason");
}
[$status, , $form] = ocr("webankAppId=TIDAMOCK&version=1.0.0", "application/x-www-form-urlencoded");
check("form-encoded body: 400101 in JSON", $status === 200 && ($form["code"] ?? null) === "400101", $form["msg"] ?? "");

echo $failures ? "$failures check(s) failed\n" : "all checks passed\n";
exit($failures ? 1 : 0);

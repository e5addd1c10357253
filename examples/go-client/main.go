// A partner-style client in Go (1.19+, standard library only): signs its own requests the way the
// WeBank docs describe and checks what idocr-mock answers.
//
//	go run examples/go-client/main.go http://127.0.0.1:8080
//
// Exits non-zero if any check fails.
package main

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math/big"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

const (
	app     = "TIDAMOCK"
	ticket  = "idocr-mock-sign-ticket"
	version = "1.0.0"
)

var base = "http://127.0.0.1:8080"

// sign: values + ticket, sorted as strings, joined, SHA-1, upper-case hex.
func sign(values []string, ticket string) string {
	var parts []string
	for _, v := range append(append([]string{}, values...), ticket) {
		if v != "" {
			parts = append(parts, v)
		}
	}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func nonce() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}

// png: a tiny generated PNG (4x4 grey), built with zlib: no real card image anywhere.
func png() []byte {
	chunk := func(kind string, data []byte) []byte {
		var out bytes.Buffer
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		td := append([]byte(kind), data...)
		out.Write(td)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(td))
		return out.Bytes()
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 4)
	binary.BigEndian.PutUint32(ihdr[4:], 4)
	ihdr[8] = 8
	var idat bytes.Buffer
	w := zlib.NewWriter(&idat)
	for i := 0; i < 4; i++ {
		w.Write([]byte{0, 128, 128, 128, 128})
	}
	w.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", idat.Bytes())...)
	return append(out, chunk("IEND", nil)...)
}

func body(orderNo, cardType string, overrides map[string]string) map[string]string {
	b := map[string]string{"webankAppId": app, "version": version, "nonce": nonce(), "orderNo": orderNo,
		"cardType": cardType, "idcardStr": base64.StdEncoding.EncodeToString(png())}
	for k, v := range overrides {
		b[k] = v
	}
	if _, given := overrides["sign"]; !given {
		b["sign"] = sign([]string{b["webankAppId"], b["orderNo"], b["nonce"], b["version"]}, ticket)
	}
	return b
}

type answer struct {
	status int
	reason string
	json   map[string]any
}

var client = &http.Client{Timeout: 30 * time.Second}

func ocr(payload []byte, contentType string) answer {
	res, err := client.Post(base+"/api/paas/idcardocrapp", contentType, bytes.NewReader(payload))
	if err != nil {
		fmt.Println("FAIL request:", err)
		os.Exit(1)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, reason: res.Header.Get("X-Idocr-Mock-Reason")}
	if err := json.Unmarshal(raw, &a.json); err != nil {
		a.json = map[string]any{}
	}
	return a
}

func ocrJSON(b map[string]string) answer {
	payload, _ := json.Marshal(b)
	return ocr(payload, "application/json;charset=UTF-8")
}

var failures = 0

func check(what string, ok bool, detail ...any) {
	mark := "ok  "
	if !ok {
		mark = "FAIL"
		failures++
	}
	fmt.Println(strings.TrimSpace(fmt.Sprint(mark+" "+what+"  ", fmt.Sprint(detail...))))
}

// checkDigit: GB 11643.
func checkDigit(id17 string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17 && i < len(id17); i++ {
		sum += int(id17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func result(a answer) map[string]any {
	r, _ := a.json["result"].(map[string]any)
	if r == nil {
		return map[string]any{}
	}
	return r
}

func main() {
	if len(os.Args) > 1 {
		base = os.Args[1]
	}
	order := fmt.Sprintf("go%d", time.Now().UnixMilli())
	front := ocrJSON(body(order, "0", nil))
	r := result(front)
	id := str(r, "idcard")
	check("front: code 0", str(front.json, "code") == "0", str(front.json, "code"), " ", str(front.json, "msg"))
	check("front: check digit", len(id) == 18 && id[17] == checkDigit(id[:17]), id)
	check("front: birth = digits 7-14", len(id) == 18 && str(r, "birth") == id[6:14], str(r, "birth"))
	sex := "女"
	if len(id) == 18 && (id[16]-'0')%2 == 1 {
		sex = "男"
	}
	check("front: sex = parity of digit 17", len(id) == 18 && str(r, "sex") == sex, str(r, "sex"))
	success, isBool := r["success"].(bool)
	check("front: success is boolean false", isBool && !success)

	back := ocrJSON(body(order, "1", nil))
	b := result(back)
	_, hasName := b["name"]
	_, hasID := b["idcard"]
	check("back: code 0", str(back.json, "code") == "0")
	check("back: validDate yyyyMMdd-yyyyMMdd|长期", regexp.MustCompile(`^\d{8}-(\d{8}|长期)$`).MatchString(str(b, "validDate")), str(b, "validDate"))
	check("back: authority", regexp.MustCompile(`公安局.+分局$`).MatchString(str(b, "authority")), str(b, "authority"))
	check("back: no front fields", !hasName && !hasID)

	cases := []struct {
		what    string
		payload map[string]string
		code    string
	}{
		{"wrong sign", body("o1", "0", map[string]string{"sign": strings.Repeat("0", 40)}), "400105"},
		{"short nonce", body("o2", "0", map[string]string{"nonce": "abc"}), "400101"},
		{"over-long orderNo", body(strings.Repeat("o", 33), "0", nil), "66660000"},
		{"3.1 MB image", body("o4", "0", map[string]string{"idcardStr": strings.Repeat("A", 3_250_000)}), "66660000"},
		{"text file as image", body("o5", "0", map[string]string{"idcardStr": base64.StdEncoding.EncodeToString([]byte("hello, I am text\n"))}), "66661010"},
	}
	for _, c := range cases {
		a := ocrJSON(c.payload)
		check(c.what+": HTTP 200 code "+c.code, a.status == 200 && str(a.json, "code") == c.code,
			str(a.json, "code"), " ", str(a.json, "msg"), " | ", a.reason)
	}
	form := ocr([]byte("webankAppId=TIDAMOCK&version=1.0.0"), "application/x-www-form-urlencoded")
	check("form-encoded body: 400101 in JSON", form.status == 200 && str(form.json, "code") == "400101", str(form.json, "msg"))

	if failures > 0 {
		fmt.Printf("%d check(s) failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("all checks passed")
}

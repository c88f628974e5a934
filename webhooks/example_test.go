package webhooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cornershop/webhooks"
)

// verifyCornershop is the receiver's check, as docs/webhooks.md shows it:
// standard library only, so it can be copied into any Go service.
func verifyCornershop(secret, header string, body []byte, now time.Time) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false // missing, or too old: a replay
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// A receiver verifies X-Cornershop-Signature against the raw body before
// trusting it; a changed byte fails.
func Example_verify() {
	body := []byte(`{"id":"evt_1","type":"idea.voted","created_at":"2026-12-05T12:00:00Z","data":{"idea_id":3}}`)
	now := time.Date(2026, 12, 5, 12, 0, 1, 0, time.UTC)
	header := webhooks.Sign([]byte("whsec-1"), now, body)

	fmt.Println(verifyCornershop("whsec-1", header, body, now))
	fmt.Println(verifyCornershop("whsec-1", header, []byte(strings.Replace(string(body), "3", "4", 1)), now))
	fmt.Println(verifyCornershop("whsec-2", header, body, now))
	fmt.Println(verifyCornershop("whsec-1", header, body, now.Add(time.Hour)))
	// Output:
	// true
	// false
	// false
	// false
}

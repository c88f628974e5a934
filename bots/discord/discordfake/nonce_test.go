package discordfake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"cornershop/bots/discord/discordfake"
)

// TestEnforceNonce: with enforce_nonce, a second create by the same author
// with the same nonce returns the first message and makes none; without
// it, the nonce is only echoed. Nonces are at most 25 characters.
func TestEnforceNonce(t *testing.T) {
	s, _ := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	post := func(body map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/v10/channels/"+d.Support.ID+"/messages", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bot "+s.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	_, first := post(map[string]any{"content": "once", "nonce": "abc", "enforce_nonce": true})
	_, again := post(map[string]any{"content": "once", "nonce": "abc", "enforce_nonce": true})
	if first["id"] == nil || first["id"] != again["id"] || first["nonce"] != "abc" {
		t.Fatalf("enforced nonce: first %v, again %v", first["id"], again["id"])
	}
	_, loose := post(map[string]any{"content": "twice", "nonce": "abc"})
	if loose["id"] == first["id"] {
		t.Fatal("a nonce without enforce_nonce deduplicated")
	}
	if n := len(s.BotMessages(d.Support.ID)); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
	if status, body := post(map[string]any{"content": "x", "nonce": "12345678901234567890123456", "enforce_nonce": true}); status != 400 || body["code"] != float64(50035) {
		t.Errorf("26-character nonce: %d %v", status, body)
	}
	if n := len(s.Actions(d.Support.ID)); n != 2 {
		t.Errorf("%d sends recorded, want 2 (the deduplicated create is no send)", n)
	}
}

// TestAnswerLatency: the call takes effect at once; only the answer is
// late, so a client that gives up does not know its message exists.
func TestAnswerLatency(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	s.SetAnswerLatency("POST /channels/", 2*time.Second)
	dg.Client = &http.Client{Transport: s.Transport(), Timeout: 100 * time.Millisecond}
	if _, err := dg.ChannelMessageSend(d.Support.ID, "slow answer"); err == nil {
		t.Fatal("the send answered before the answer latency")
	}
	if n := len(s.BotMessages(d.Support.ID)); n != 1 {
		t.Errorf("%d messages after a send whose answer was lost, want 1", n)
	}
	s.SetAnswerLatency("POST /channels/", 0)
	if _, err := dg.ChannelMessageSend(d.Support.ID, "quick"); err != nil {
		t.Fatal(err)
	}
}

package discordfake

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// appKey is the application's Ed25519 key pair, fixed so a test can
// configure the public key before the emulator starts.
var appKey = ed25519.NewKeyFromSeed(func() []byte { s := sha256.Sum256([]byte("discordfake application key")); return s[:] }())

// PublicKey is the application's public key in hex, as the Developer
// Portal shows it (General Information → Public Key).
func (s *Server) PublicKey() string { return hex.EncodeToString(appKey.Public().(ed25519.PublicKey)) }

// SignInteraction returns the X-Signature-Ed25519 Discord sends with an
// interaction body at timestamp ts (Unix seconds): the application key's
// signature over ts followed by the body, in hex.
func (s *Server) SignInteraction(ts string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(appKey, append([]byte(ts), body...)))
}

// SetInteractionsEndpoint sets the application's Interactions Endpoint URL,
// after checking it as Discord does when it is saved in the Developer
// Portal: a signed PING must be answered 200 with {"type":1}, and the same
// PING with a bad signature refused with 401. From then on interactions
// (Command, Click) are POSTed there, signed, instead of being dispatched
// as INTERACTION_CREATE on the gateway; "" goes back to the gateway.
func (s *Server) SetInteractionsEndpoint(url string) error {
	if url != "" {
		ping := []byte(`{"id":"` + s.nextID() + `","application_id":"` + s.o.ApplicationID + `","type":1,"token":"ping","version":1}`)
		status, body, err := s.push(url, ping, true)
		if err != nil {
			return fmt.Errorf("discordfake: interactions endpoint: %w", err)
		}
		var pong struct {
			Type int `json:"type"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &pong) != nil || pong.Type != CallbackPong {
			return fmt.Errorf("discordfake: interactions endpoint answered a PING with %d %q", status, body)
		}
		if status, _, err := s.push(url, ping, false); err != nil || status != http.StatusUnauthorized {
			return fmt.Errorf("discordfake: interactions endpoint accepted a bad signature (status %d, %v)", status, err)
		}
	}
	s.mu.Lock()
	s.endpoint = url
	s.mu.Unlock()
	return nil
}

// EndpointStatuses lists the HTTP status of each interaction POSTed to the
// endpoint, in order.
func (s *Server) EndpointStatuses() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.endpointStatuses...)
}

func (s *Server) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newID()
}

// deliverInteractionLocked sends an interaction the way the application
// receives them: on the gateway, or POSTed to its endpoint in the
// background (the answer comes through the callback route either way).
func (s *Server) deliverInteractionLocked(guildID string, d map[string]any) {
	if s.endpoint == "" {
		s.dispatchLocked("INTERACTION_CREATE", guildID, d)
		return
	}
	body, err := json.Marshal(d)
	if err != nil {
		return
	}
	url := s.endpoint
	s.wg.Go(func() {
		status, _, err := s.push(url, body, true)
		if err != nil {
			status = 0
		}
		s.mu.Lock()
		s.endpointStatuses = append(s.endpointStatuses, status)
		s.changed.Notify() // under the lock, as Changes requires
		s.mu.Unlock()
	})
}

// push POSTs a signed (or, with good false, wrongly signed) interaction.
func (s *Server) push(url string, body []byte, good bool) (int, []byte, error) {
	ts := strconv.FormatInt(s.o.Now().Unix(), 10)
	sig := s.SignInteraction(ts, body)
	if !good {
		sig = s.SignInteraction(ts, append([]byte("x"), body...))
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	req.Header.Set("X-Signature-Ed25519", sig)
	req.Header.Set("X-Signature-Timestamp", ts)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, nil
}

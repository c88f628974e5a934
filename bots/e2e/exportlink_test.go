package e2e_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// exportLinkRe finds a one-time export link in a desk thread.
var exportLinkRe = regexp.MustCompile(`https?://[^\s<>|]+/export/[0-9a-f]{64}`)

// TestExportLinkOverTheWire: a customer's 11 MB file makes their archive
// larger than Discord's 10 MB, so the export note in a Discord desk
// thread carries a one-time link on the HTTP port instead of the file
// (the adapter would refuse it); the link's first GET is the archive
// with the file byte for byte, the second is refused.
func TestExportLinkOverTheWire(t *testing.T) {
	w := newWorld(t)
	c, d := tgCustomer{w}, dcDesk{w}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := adminConfig(d)
	cfg.PublicURL = srv.URL
	s := bottest.Start(t, cfg, w.platforms()...)
	mux.Handle("GET /export/{token}", s.Relay.ExportLinkHandler())

	c.writes(t, "here comes my big scan")
	big := make([]byte, 11<<20)
	_, _ = rand.Read(big) // random, so the zip cannot make it smaller
	if _, err := w.tg.SendDocument(w.tgCust.ID, 0, w.tgCust, "scan.tiff", "image/tiff", big, ""); err != nil {
		t.Fatal(err)
	}
	var conv core.Conversation
	bottest.Eventually(t, wait, "the desk thread with the file", func() bool {
		got, ok := s.Conversation(t, c.platform(), c.userID(), c.place())
		conv = got
		return ok && got.Desk.Thread != "" && strings.Contains(d.says(t, got.Desk), "big scan")
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the desk thread:\n%s", d.says(t, conv.Desk))
		}
	})
	bottest.Eventually(t, wait, "the file recorded", func() bool {
		var n int
		_ = s.Store.InTx(t.Context(), func(tx core.Tx) error {
			ms, err := tx.Messages(conv.ID)
			for _, m := range ms {
				n += len(m.Attachments)
			}
			return err
		})
		return n == 1
	})
	d.staffWrites(t, conv.Desk, "!privacy export")
	var url string
	bottest.Eventually(t, wait, "the export link in the desk thread", func() bool {
		url = exportLinkRe.FindString(d.says(t, conv.Desk))
		return url != ""
	})
	if !strings.HasPrefix(url, srv.URL+"/export/") || !strings.Contains(d.says(t, conv.Desk), "larger than discord takes (10.0 MB)") {
		t.Errorf("link %q, want one on %s saying why", url, srv.URL)
	}
	if _, ok := deskZip(w, d, conv.Desk); ok {
		t.Error("the archive was posted as a file too")
	}

	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	archive, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET the link = %d, %v", res.StatusCode, err)
	}
	files := unzip(t, archive)
	var x relay.Export
	if err := json.Unmarshal(files["person.json"], &x); err != nil {
		t.Fatalf("person.json: %v", err)
	}
	if x.Contact.ID != conv.ContactID || len(x.Files) != 1 || x.Files[0].Path == "" || !bytes.Equal(files[x.Files[0].Path], big) {
		t.Errorf("downloaded export: contact %d, files %+v; want contact %d and the 11 MB scan byte for byte", x.Contact.ID, x.Files, conv.ContactID)
	}

	res, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusGone {
		t.Errorf("second GET = %d %q, want 410", res.StatusCode, body)
	}
}

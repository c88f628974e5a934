package relay_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

// linkRe finds an export link in a desk note.
var linkRe = regexp.MustCompile(`https?://\S+/export/([0-9a-f]{64})`)

// exportLinkEnv is an env whose desk takes files up to 200 bytes, with the
// export link route served on a loopback HTTP server.
func exportLinkEnv(t *testing.T, ttl time.Duration) (*env, *httptest.Server) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := newEnv(t, withAdmin, func(c *relay.Config) {
		c.PublicURL = srv.URL + "/"
		c.Privacy.ExportLinkTTL = ttl
	})
	mux.Handle("GET /export/{token}", e.svc.ExportLinkHandler())
	e.desk.SetUploadLimit(200)
	return e, srv
}

// askExport runs !privacy export in conv's thread and returns the link
// the desk got (its URL and token).
func (e *env) askExport(conv core.Conversation) (string, string) {
	e.t.Helper()
	e.staff(conv.Desk, "U-CAROL", "!privacy export")
	e.drain()
	posts := e.desk.Posts(conv.Desk)
	slices.Reverse(posts)
	for _, p := range posts {
		if m := linkRe.FindStringSubmatch(p.Text); m != nil && strings.Contains(p.Text, "📦 Export") {
			if len(p.Files) > 0 {
				e.t.Errorf("the note with the link also carries files %v", p.Files)
			}
			if !strings.Contains(p.Text, "Download it once, within") {
				e.t.Errorf("the link's note does not say it works once: %q", p.Text)
			}
			return m[0], m[1]
		}
	}
	e.t.Fatalf("no export link in the desk:\n%s", strings.Join(texts(e.desk.Posts(conv.Desk)), "\n"))
	return "", ""
}

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// TestExportLink: an export larger than the desk takes is posted as a
// one-time link; its first GET streams the archive, a second is refused
// (410), an expired link is refused (410), an unknown or malformed token
// gets 404; creation and download are audited; and the token is in
// neither the database nor the logs.
func TestExportLink(t *testing.T) {
	e, srv := exportLinkEnv(t, 30*time.Minute)
	e.customer("the words of vermilionfox")
	e.drain()
	conv := e.conversation()
	url, token := e.askExport(conv)

	status, h, body := get(t, url)
	if status != http.StatusOK || h.Get("Content-Type") != "application/zip" || !strings.Contains(h.Get("Content-Disposition"), "contact-") {
		t.Fatalf("first GET = %d %v, want 200 application/zip attachment: %.200s", status, h, body)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the download is no zip: %v", err)
	}
	var x relay.Export
	for _, f := range z.File {
		if f.Name == "person.json" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(rc).Decode(&x)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if x.Contact.ID != conv.ContactID || len(x.Conversations) != 1 || !strings.Contains(x.Conversations[0].Messages[0].Text, "vermilionfox") {
		t.Errorf("downloaded export = contact %d with %d conversations; want contact %d and their words", x.Contact.ID, len(x.Conversations), conv.ContactID)
	}

	status, _, body = get(t, url)
	if status != http.StatusGone || !strings.Contains(string(body), "used already") {
		t.Errorf("second GET = %d %q, want 410 saying it was used", status, body)
	}

	url2, token2 := e.askExport(conv)
	if token2 == token {
		t.Fatal("two exports got the same token")
	}
	e.clock.Add(31 * time.Minute)
	status, _, body = get(t, url2)
	if status != http.StatusGone || !strings.Contains(string(body), "expired") {
		t.Errorf("GET after the TTL = %d %q, want 410 saying it expired", status, body)
	}

	for _, bad := range []string{strings.Repeat("ab", 32), "not-a-token", strings.ToUpper(token)} {
		status, _, body = get(t, srv.URL+"/export/"+bad)
		if status != http.StatusNotFound || !strings.Contains(string(body), "unknown") {
			t.Errorf("GET /export/%s = %d %q, want 404 saying it is unknown", bad, status, body)
		}
	}

	var actions []string
	e.inTx(func(tx core.Tx) error {
		es, err := tx.AuditEntries(conv.ContactID.String(), 50)
		for _, a := range es {
			actions = append(actions, a.Action)
		}
		return err
	})
	for _, want := range []string{"privacy.export", "privacy.export_link", "privacy.export_download"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit of contact %d = %v, lacks %s", conv.ContactID, actions, want)
		}
	}
	n := 0
	for _, a := range actions {
		if a == "privacy.export_download" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d downloads audited, want 1", n)
	}

	found, err := e.store.Occurrences(context.Background(), []string{token, token2})
	if err != nil || len(found) > 0 {
		t.Errorf("the store holds a link's token in %v (%v)", found, err)
	}
	if logs := e.logs.String(); strings.Contains(logs, token) || strings.Contains(logs, token2) || !strings.Contains(logs, "downloaded") {
		t.Errorf("the logs hold a token or lack the download:\n%s", logs)
	}
}

// TestExportSmallEnoughIsAFile: an export within the desk's limit is a
// file, as before, and no link is made.
func TestExportSmallEnoughIsAFile(t *testing.T) {
	e, _ := exportLinkEnv(t, time.Hour)
	e.desk.SetUploadLimit(1 << 20)
	e.customer("hello")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-CAROL", "!privacy export")
	e.drain()
	var files []string
	for _, p := range e.desk.Posts(conv.Desk) {
		if linkRe.MatchString(p.Text) {
			t.Errorf("a link for a small export: %q", p.Text)
		}
		files = append(files, p.Files...)
	}
	if len(files) != 1 || !strings.HasSuffix(files[0], "-export.zip") {
		t.Errorf("desk files = %v, want the export zip", files)
	}
}

// TestExportTooLargeWithoutPublicURL: with no public URL the desk is told
// the archive is too large and where else to get it.
func TestExportTooLargeWithoutPublicURL(t *testing.T) {
	e := newEnv(t, withAdmin)
	e.desk.SetUploadLimit(100)
	e.customer("hello there, this needs to be over a hundred bytes once zipped, which any export is")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-CAROL", "!privacy export")
	e.drain()
	all := strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
	if !strings.Contains(all, "no http.public_url") || !strings.Contains(all, "larger than slack takes (100 bytes)") || linkRe.MatchString(all) {
		t.Errorf("desk without a public URL:\n%s", all)
	}
}

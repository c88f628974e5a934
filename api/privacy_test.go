package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/relay"
)

// TestExportAndErase: on SQLite and PostgreSQL, an admin token exports a
// contact as a zip whose person.json holds every message they wrote; an
// erase needs the id repeated, then leaves nothing of them in the store
// (rows and indexes), detaches the account and deletes the desk copies; a
// read token may do neither, and an unknown contact is a 404.
func TestExportAndErase(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		conv := h.customerWrites("my locker code is saffronheron")
		h.customerWrites("and the spare is at tangerinewharf")
		path := "/contacts/" + id(int64(conv.ContactID))
		bottest.Eventually(t, wait, "both desk copies", func() bool {
			n := 0
			for _, m := range h.fake.BotMessages(h.desk.ID, topicOf(conv)) {
				if strings.Contains(m.Text, "saffronheron") || strings.Contains(m.Text, "tangerinewharf") {
					n++
				}
			}
			return n == 2
		})

		for _, c := range []call{
			{method: "GET", path: path + "/export", token: readSecret},
			{method: "POST", path: path + "/erase", token: writeSecret, body: map[string]int64{"confirm": int64(conv.ContactID)}},
		} {
			if r := h.do(c); r.status != http.StatusForbidden {
				t.Errorf("%s %s with too small a scope: %d", c.method, c.path, r.status)
			}
		}
		if r := h.do(call{method: "GET", path: "/contacts/99999/export", token: adminSecret}); r.status != http.StatusNotFound {
			t.Errorf("export of an unknown contact: %d", r.status)
		}

		r := h.do(call{method: "GET", path: path + "/export", token: adminSecret})
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export: %d %s", r.status, r.header.Get("Content-Type"))
		}
		z, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
		if err != nil {
			t.Fatal(err)
		}
		var x relay.Export
		for _, f := range z.File {
			if f.Name == "person.json" {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				if err := json.Unmarshal(b, &x); err != nil {
					t.Fatal(err)
				}
			}
		}
		var texts []string
		for _, c := range x.Conversations {
			for _, m := range c.Messages {
				texts = append(texts, m.Text)
			}
		}
		if x.Contact.ID != conv.ContactID || !strings.Contains(strings.Join(texts, "|"), "saffronheron") || !strings.Contains(strings.Join(texts, "|"), "tangerinewharf") {
			t.Errorf("export = contact %v, messages %q", x.Contact.ID, texts)
		}

		if r := h.do(call{method: "POST", path: path + "/erase", token: adminSecret, body: map[string]int64{"confirm": 1 + int64(conv.ContactID)}}); r.status != http.StatusBadRequest {
			t.Errorf("erase with the wrong confirmation: %d", r.status)
		}
		r = h.do(call{method: "POST", path: path + "/erase", token: adminSecret, body: map[string]int64{"confirm": int64(conv.ContactID)}})
		var out struct {
			Conversations []int64 `json:"conversations"`
			DeskCopies    int     `json:"desk_copies"`
		}
		r.decode(t, &out)
		if r.status != http.StatusOK || len(out.Conversations) != 1 || out.DeskCopies != 2 {
			t.Fatalf("erase: %d %s", r.status, r.body)
		}
		bottest.Eventually(t, wait, "the desk copies deleted", func() bool {
			for _, m := range h.fake.BotMessages(h.desk.ID, topicOf(conv)) {
				if !m.Deleted && (strings.Contains(m.Text, "saffronheron") || strings.Contains(m.Text, "tangerinewharf")) {
					return false
				}
			}
			return true
		})
		found, err := h.store().Occurrences(context.Background(), []string{"saffronheron", "tangerinewharf"})
		if err != nil || len(found) > 0 {
			t.Errorf("after the erase the store holds the text in %v (%v)", found, err)
		}
		err = h.store().InTx(context.Background(), func(tx core.Tx) error {
			_, err := tx.ContactByIdentity(core.Telegram, id(h.customer.ID))
			if !errors.Is(err, core.ErrNotFound) {
				t.Errorf("the account is still attached: %v", err)
			}
			es, err := tx.AuditEntries(conv.ContactID.String(), 50)
			if err != nil || len(es) == 0 || es[len(es)-1].Actor != "api:ops" || es[len(es)-1].Action != "privacy.erase" {
				t.Errorf("audit = %+v, %v", es, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// topicOf is the forum topic of a conversation's desk thread.
func topicOf(c core.Conversation) int {
	n, _ := strconv.Atoi(c.Desk.Thread)
	return n
}

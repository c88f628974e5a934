package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"cornershop/core"
)

// TestAnswers: the list pages every answer once by cursor, answers added
// between pages included; tag filters; q searches titles and bodies
// through the store's engine, best first with a score; one answer by id;
// bad input and unknown ids get the API's errors.
func TestAnswers(t *testing.T) {
	databases(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		seed := func(title, body string, tags ...string) int64 {
			t.Helper()
			a := core.Answer{Slug: core.Slugify(title), Title: title, Body: body, Tags: tags, Author: "staff:mo", AuthorName: "Mo Derator",
				CreatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
			if err := h.store().InTx(context.Background(), func(tx core.Tx) error { return tx.CreateAnswer(&a) }); err != nil {
				t.Fatal(err)
			}
			return int64(a.ID)
		}
		want := []int64{
			seed("How do refunds work?", "Refunds reach your card within five days.", "billing"),
			seed("Reset your password", "Use the forgotten password link on the sign-in page.", "account"),
			seed("Shipping times", "Parcels leave the warehouse the next working day.", "shipping"),
		}

		type answer struct {
			ID                int64
			Slug, Title, Body string
			Tags              []string
			Author            string
			Helped            int
			Score             *float64
		}
		type page struct {
			Data       []answer
			NextCursor string `json:"next_cursor"`
			HasMore    bool   `json:"has_more"`
		}
		var got []int64
		cursor := ""
		for n := 0; n < 10; n++ {
			var p page
			h.want(http.StatusOK, call{method: "GET", path: "/answers?limit=2&cursor=" + cursor, token: readSecret}).decode(t, &p)
			for _, a := range p.Data {
				got = append(got, a.ID)
				if a.Score != nil {
					t.Errorf("answer %d has a score outside a search", a.ID)
				}
			}
			if n == 0 {
				want = append(want, seed("Opening hours", "We answer from nine to five.", "general"))
			}
			if !p.HasMore {
				break
			}
			cursor = p.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged %v, want %v", got, want)
		}

		var tagged page
		h.want(http.StatusOK, call{method: "GET", path: "/answers?tag=Billing", token: readSecret}).decode(t, &tagged)
		if len(tagged.Data) != 1 || tagged.Data[0].ID != want[0] || !slices.Equal(tagged.Data[0].Tags, []string{"billing"}) {
			t.Errorf("tag=Billing: %+v", tagged.Data)
		}

		var found page
		h.want(http.StatusOK, call{method: "GET", path: "/answers?q=refunds", token: readSecret}).decode(t, &found)
		if len(found.Data) != 1 || found.Data[0].ID != want[0] || found.Data[0].Score == nil || found.HasMore || found.NextCursor != "" {
			t.Errorf("q=refunds: %+v", found)
		}
		h.want(http.StatusOK, call{method: "GET", path: "/answers?q=password&tag=billing", token: readSecret}).decode(t, &found)
		if len(found.Data) != 0 {
			t.Errorf("q=password&tag=billing: %+v", found.Data)
		}
		h.want(http.StatusOK, call{method: "GET", path: "/answers?q=%22%29%28NEAR%2A", token: readSecret}).decode(t, &found) // query syntax is only text
		if len(found.Data) != 0 {
			t.Errorf("a wordless query found %+v", found.Data)
		}

		var one answer
		h.want(http.StatusOK, call{method: "GET", path: fmt.Sprintf("/answers/%d", want[1]), token: readSecret}).decode(t, &one)
		if one.Slug != "reset-your-password" || one.Title != "Reset your password" || one.Author != "staff:mo" || one.Score != nil {
			t.Errorf("answer = %+v", one)
		}
		if e := h.want(http.StatusNotFound, call{method: "GET", path: "/answers/999999", token: readSecret}).err(t); e.Code != "not_found" {
			t.Errorf("unknown answer: %+v", e)
		}
		for _, c := range []struct{ path, field string }{
			{"/answers/refunds", "id"},
			{"/answers?cursor=" + encodeOther(), "cursor"},
			{"/answers?q=refunds&cursor=" + cursor, "cursor"},
			{"/answers?limit=0", "limit"},
		} {
			if e := h.want(http.StatusBadRequest, call{method: "GET", path: c.path, token: readSecret, invalid: true}).err(t); e.Code != "invalid" || e.Field != c.field {
				t.Errorf("%s: %+v", c.path, e)
			}
		}
		h.want(http.StatusOK, call{method: "GET", path: "/answers", token: writeSecret}) // write includes read
	})
}

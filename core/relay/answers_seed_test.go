package relay_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/fstest"

	"cornershop/core"
	"cornershop/core/relay"
)

func TestParseAnswerFile(t *testing.T) {
	tests := []struct {
		name, text              string
		title, slug, body, tags string
		err                     error
	}{
		{name: "heading", text: "# How do refunds work?\n\nPress Refund.\n", title: "How do refunds work?", slug: "how-do-refunds-work", body: "Press Refund."},
		{name: "front matter", text: "---\ntitle: \"Shipping\"\nslug: ship\ntags: [orders, delivery]\n---\nTwo days.", title: "Shipping", slug: "ship", body: "Two days.", tags: "orders,delivery"},
		{name: "front matter, heading title", text: "---\ntags: a, b\n---\n# Returns\nThirty days.", title: "Returns", slug: "returns", body: "Thirty days.", tags: "a,b"},
		{name: "crlf and bom", text: "\ufeff# Café hours\r\nNine to five.\r\n", title: "Café hours", slug: "café-hours", body: "Nine to five."},
		{name: "no title", text: "Just text.", err: core.ErrInvalid},
		{name: "no body", text: "# Title only", err: core.ErrInvalid},
		{name: "unended front matter", text: "---\ntitle: x\n", err: core.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := relay.ParseAnswerFile("x.md", tc.text)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tags := ""
			for i, tg := range a.Tags {
				if i > 0 {
					tags += ","
				}
				tags += tg
			}
			if a.Title != tc.title || a.Slug != tc.slug || a.Body != tc.body || tags != tc.tags {
				t.Fatalf("= %q %q %q %q; want %q %q %q %q", a.Title, a.Slug, a.Body, tags, tc.title, tc.slug, tc.body, tc.tags)
			}
		})
	}
}

// TestSeedAnswersIdempotent: seeding twice changes nothing the second
// time; a changed file updates its answer in place (same slug, same id).
func TestSeedAnswersIdempotent(t *testing.T) {
	e := newEnv(t)
	fsys := fstest.MapFS{
		"refunds.md":  {Data: []byte("# Refunds\nPress Refund.")},
		"shipping.md": {Data: []byte("---\ntitle: Shipping\n---\nTwo days.")},
		"notes.txt":   {Data: []byte("ignored")},
	}
	ctx := context.Background()
	for i, want := range []relay.SeedResult{{Added: 2}, {Unchanged: 2}} {
		got, err := e.svc.SeedAnswers(ctx, fsys)
		if err != nil || got != want {
			t.Fatalf("seed %d = %+v, %v; want %+v", i, got, err, want)
		}
	}
	fsys["refunds.md"] = &fstest.MapFile{Data: []byte("# Refunds\nPress Refund in Orders.")}
	if got, err := e.svc.SeedAnswers(ctx, fsys); err != nil || got != (relay.SeedResult{Updated: 1, Unchanged: 1}) {
		t.Fatalf("seed after change = %+v, %v", got, err)
	}
	e.inTx(func(tx core.Tx) error {
		as, err := tx.Answers(0)
		if err != nil {
			return err
		}
		if len(as) != 2 || as[0].Slug != "refunds" || as[0].Body != "Press Refund in Orders." || as[0].ID != 1 {
			t.Errorf("answers = %+v", as)
		}
		es, err := tx.AuditEntries("answer#1", 10)
		if err != nil {
			return err
		}
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Action)
		}
		if !slices.Equal(actions, []string{"answer.seed.add", "answer.seed.update"}) {
			t.Errorf("audit = %v", actions)
		}
		return nil
	})
}

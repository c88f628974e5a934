package discordfake_test

import (
	"fmt"
	"testing"

	"cornershop/bots/discord/discordfake"
)

// TestMessageHistoryPages: GET /channels/{id}/messages returns newest
// first, at most 100 (50 by default); with after, the oldest page after
// that id (still newest first), so a client pages forward by passing the
// newest id it got; with before, the newest page before it. Deleted
// messages are gone, and REST messages carry no guild_id.
func TestMessageHistoryPages(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	var ids []string
	for i := range 230 {
		m, err := s.Send(d.Support.ID, d.Customer, fmt.Sprintf("m%03d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if err := s.Delete(d.Support.ID, ids[5]); err != nil {
		t.Fatal(err)
	}
	if def, err := dg.ChannelMessages(d.Support.ID, 0, "", "", ""); err != nil || len(def) != 50 || def[0].ID != ids[229] {
		t.Fatalf("default page: %d messages, first %v, %v", len(def), def[0].ID, err)
	}
	if big, err := dg.ChannelMessages(d.Support.ID, 500, "", "", ""); err != nil || len(big) != 100 {
		t.Fatalf("limit 500: %d messages, %v (want Discord's cap of 100)", len(big), err)
	}
	var got []string
	after := ids[0]
	for pages := 0; ; pages++ {
		page, err := dg.ChannelMessages(d.Support.ID, 100, "", after, "")
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(page); i++ {
			if page[i-1].ID <= page[i].ID && len(page[i-1].ID) == len(page[i].ID) {
				t.Fatalf("page %d not newest first: %s before %s", pages, page[i-1].ID, page[i].ID)
			}
		}
		for i := len(page) - 1; i >= 0; i-- {
			if page[i].GuildID != "" {
				t.Fatalf("REST message carries guild_id %q", page[i].GuildID)
			}
			got = append(got, page[i].Content)
		}
		if len(page) < 100 {
			break
		}
		after = page[0].ID
	}
	if len(got) != 228 || got[0] != "m001" || got[3] != "m004" || got[4] != "m006" || got[227] != "m229" {
		t.Fatalf("paging after: %d messages, %v … %v", len(got), got[:5], got[len(got)-1])
	}
	before, err := dg.ChannelMessages(d.Support.ID, 3, ids[100], "", "")
	if err != nil || len(before) != 3 || before[0].Content != "m099" || before[2].Content != "m097" {
		t.Fatalf("before: %v, %v", before, err)
	}
}

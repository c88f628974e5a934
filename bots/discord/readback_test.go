package discord_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"cornershop/core"
)

// TestCutOffSendFoundPastAPageOfHistory: a reply whose attempt reached a
// customer's DM but was cut off before it was recorded is found when the
// delivery is retried, even when the customer wrote more than a page of
// history (100 messages) between the last recorded post and it, and is
// not posted a second time.
func TestCutOffSendFoundPastAPageOfHistory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		between int // customer messages between the last recorded post and the cut-off send
	}{
		{"within the first page", 20},
		{"past the first page", 150},
		{"past two pages", 260},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			b := w.bot(t, "thread")
			ctx := context.Background()
			dm := w.fake.DMChannel(w.customer)
			reply := func(text string, maybeSent bool, before string) core.Receipt {
				t.Helper()
				rc, err := b.Send(ctx, core.Outgoing{Key: text, Kind: core.KindReply, Place: core.Place{Platform: core.Discord, Chat: dm.ID},
					Text: text, Voice: core.Voice{Name: "Alice Martin"}, MaybeSent: maybeSent, PostedBefore: before})
				if err != nil {
					t.Fatalf("send %q: %v", text, err)
				}
				return rc
			}
			earlier := reply("An earlier reply.", false, "")
			for i := range tc.between {
				if _, err := w.fake.Send(dm.ID, w.customer, fmt.Sprintf("customer message %d", i)); err != nil {
					t.Fatal(err)
				}
			}
			cut := reply("The reply whose outcome was lost.", false, "")
			again := reply("The reply whose outcome was lost.", true, earlier.IDs[0])
			if !slices.Equal(again.IDs, cut.IDs) {
				t.Errorf("retried send returned %v, want the landed post %v", again.IDs, cut.IDs)
			}
			if n := len(w.fake.BotMessages(dm.ID)); n != 2 {
				t.Errorf("%d bot posts in the DM, want 2 (the retry posted again)", n)
			}
		})
	}
}

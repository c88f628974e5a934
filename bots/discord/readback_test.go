package discord_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord"
	"cornershop/core"
)

// roundTripFunc sends a discordgo session's requests to the emulator.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

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

// TestOneWebhookPerChannel: sends racing to a channel the adapter has no
// webhook for yet make one webhook between them, not one each (Discord
// allows 15 a channel, and a send cut off through one must be recognised
// by the next process).
func TestOneWebhookPerChannel(t *testing.T) {
	w := newWorld(t)
	b := w.bot(t, "thread")
	desk := core.Place{Platform: core.Discord, Chat: w.desk.ID}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			_, err := b.Send(context.Background(), core.Outgoing{Key: fmt.Sprint(i), Kind: core.KindCustomerCopy, Place: desk,
				Text: fmt.Sprintf("copy %d", i), From: core.Identity{Platform: core.Telegram, Name: "Tess"}})
			if err != nil {
				t.Errorf("send %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if hooks := w.fake.Webhooks(w.desk.ID); len(hooks) != 1 {
		t.Errorf("%d webhooks in the desk channel after 16 racing sends, want 1", len(hooks))
	}
}

// TestCutOffSendThroughAnotherWebhookFound: a desk copy an earlier process
// posted through another of cornershop's webhooks in the channel is
// recognised as landed, not posted again.
func TestCutOffSendThroughAnotherWebhookFound(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	desk := core.Place{Platform: core.Discord, Chat: w.desk.ID}
	copyOf := func(b *discord.Bot, text string, maybeSent bool, before string) core.Receipt {
		t.Helper()
		rc, err := b.Send(ctx, core.Outgoing{Key: text, Kind: core.KindCustomerCopy, Place: desk, Text: text,
			From: core.Identity{Platform: core.Telegram, Name: "Tess"}, MaybeSent: maybeSent, PostedBefore: before})
		if err != nil {
			t.Fatalf("send %q: %v", text, err)
		}
		return rc
	}
	earlier := copyOf(w.bot(t, "thread"), "An earlier message.", false, "")
	// Another process, with a second webhook of ours, posted the copy and
	// was cut off before recording it.
	s, err := discordgo.New("Bot " + w.fake.Token())
	if err != nil {
		t.Fatal(err)
	}
	fake, err := url.Parse(w.fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = fake.Scheme, fake.Host, fake.Host
		return http.DefaultTransport.RoundTrip(r)
	})}
	second, err := s.WebhookCreate(w.desk.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	landed, err := s.WebhookExecute(second.ID, second.Token, true, &discordgo.WebhookParams{Content: "The copy whose outcome was lost.", Username: w.fake.Messages(w.desk.ID)[0].Username})
	if err != nil {
		t.Fatal(err)
	}
	before := len(w.fake.Messages(w.desk.ID))
	again := copyOf(w.bot(t, "thread"), "The copy whose outcome was lost.", true, earlier.IDs[0])
	if want := []string{"w:" + landed.ID}; !slices.Equal(again.IDs, want) {
		t.Errorf("retried send returned %v, want the landed post %v", again.IDs, want)
	}
	if n := len(w.fake.Messages(w.desk.ID)); n != before {
		t.Errorf("%d messages in the desk after the retry, want %d (it posted again)", n, before)
	}
}

package relay_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/listen"
	"cornershop/core/relay"
)

var community = core.Place{Platform: core.Telegram, Chat: "-100200"}

// counter is a ListeningObserver that counts.
type counter struct {
	mu      sync.Mutex
	matched map[string]int // "rule@place neg=bool"
	done    []core.SignalState
}

func (c *counter) Matched(rule, place string, negative bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.matched[fmt.Sprintf("%s@%s neg=%v", rule, place, negative)]++
}

func (c *counter) SignalDone(_ string, st core.SignalState, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = append(c.done, st)
}

func listening(tb testing.TB, obs relay.ListeningObserver) func(*relay.Config) {
	tb.Helper()
	m, err := listen.NewMatcher([]listen.Rule{
		{Name: "checkout", Terms: []string{"checkout", "check out"}, Desk: "main"},
		{Name: "refund", Terms: []string{"refund"}, Desk: "main", Negative: true},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return func(c *relay.Config) {
		c.Listening = relay.Listening{
			Places: []relay.ListeningPlace{{Place: community, Name: "Acme fans"}},
			Rules:  m, Observer: obs,
		}
	}
}

// chatter writes text in the community group as user.
func (e *env) chatter(user, text string) string {
	e.t.Helper()
	id := e.id()
	e.handle(core.MessageEvent{Place: community, ID: id, Sender: core.Sender{UserID: user, Name: "Dana " + user}, Text: text, At: e.clock.Now()})
	return id
}

// drainLane is drain for one lane of many deliveries, which the outbox
// performs one at a time.
func (e *env) drainLane() {
	e.t.Helper()
	e.drainWithin(1000)
}

func (e *env) signals() []core.Signal {
	e.t.Helper()
	var out []core.Signal
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		for id := core.SignalID(1); ; id++ {
			s, err := tx.Signal(id)
			if errors.Is(err, core.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			out = append(out, s)
		}
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func TestListeningMatchBecomesSignal(t *testing.T) {
	obs := &counter{matched: map[string]int{}}
	e := newEnv(t, listening(t, obs))
	e.chatter("u7", "The CHECKOUT page is broken again, awful")
	e.drain()
	sigs := e.signals()
	if len(sigs) != 1 || sigs[0].Rule != "checkout" || sigs[0].Count != 1 || sigs[0].Negative != 1 || sigs[0].CardID == "" {
		t.Fatalf("signals = %+v, want one negative checkout signal with a card", sigs)
	}
	posts := e.desk.Posts(deskChannel)
	if len(posts) != 1 {
		t.Fatalf("desk posts = %+v, want one card", posts)
	}
	card := posts[0]
	for _, want := range []string{"checkout", "Acme fans", "Dana u7", "The CHECKOUT page is broken again, awful", "negative"} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("card %q lacks %q", card.Text, want)
		}
	}
	if len(card.Buttons) == 0 || card.Buttons[0].Action != "signal" {
		t.Errorf("card buttons = %+v, want the signal's actions", card.Buttons)
	}
	if got := obs.matched["checkout@Acme fans neg=true"]; got != 1 {
		t.Errorf("observer saw %v, want one negative checkout match", obs.matched)
	}
	if len(e.cust.Posts(community)) != 0 {
		t.Errorf("cornershop spoke in the community: %+v", e.cust.Posts(community))
	}
}

// TestListeningStoresNothingUnmatched: a message no rule keeps leaves no
// contact, no matched message, no signal and no delivery.
func TestListeningStoresNothingUnmatched(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	for _, text := range []string{
		"hello everyone",
		"I love this cartoon about checkouts",                 // "checkouts" is another word
		"Got my refund today, thanks so much, great service!", // refund needs a negative message
	} {
		id := e.chatter("u9", text)
		err := e.store.InTx(context.Background(), func(tx core.Tx) error {
			if _, err := tx.ContactByIdentity(core.Telegram, "u9"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("%q: contact recorded (%v)", text, err)
			}
			if heard, err := tx.SignalMessageHeard(community.Platform, community.Chat, id); err != nil || heard {
				t.Errorf("%q: message recorded (%v, %v)", text, heard, err)
			}
			st, err := tx.ListeningStats(time.Time{}, 10)
			if err != nil || st.Signals != 0 || st.Total != 0 {
				t.Errorf("%q: stats = %+v, %v; want nothing", text, st, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := e.worker.RunOnce(context.Background()); err != nil || n != 0 {
		t.Errorf("deliveries queued: %d, %v", n, err)
	}
}

func TestListeningNegativeRule(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	e.chatter("u1", "Thanks for the quick refund, lovely!")
	e.drain()
	if got := e.signals(); len(got) != 0 {
		t.Fatalf("a happy refund message made signals %+v", got)
	}
	e.chatter("u1", "Still no refund, this is ridiculous and terrible")
	e.drain()
	if got := e.signals(); len(got) != 1 || got[0].Rule != "refund" {
		t.Fatalf("signals = %+v, want one refund signal", got)
	}
}

// TestListeningStormIsOneSignal: 200 matches in a channel, each within the
// window of the one before, are one signal whose card says so; the desk
// gets one card and no more than a few edits.
func TestListeningStormIsOneSignal(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	for i := range 200 {
		e.chatter(fmt.Sprintf("u%d", i%17), fmt.Sprintf("checkout down for me too (%d)", i))
		e.clock.Add(1500 * time.Millisecond)
		if i%50 == 49 {
			e.drainLane()
		}
	}
	e.drainLane()
	sigs := e.signals()
	if len(sigs) != 1 || sigs[0].Count != 200 {
		t.Fatalf("signals = %+v, want one of 200 messages", sigs)
	}
	posts := e.desk.Posts(deskChannel)
	if len(posts) != 1 {
		t.Fatalf("desk has %d posts, want one card", len(posts))
	}
	if !strings.Contains(posts[0].Text, "200 messages in Acme fans in 4 minutes") {
		t.Errorf("card = %q, want the burst's size and span", posts[0].Text)
	}
	if sends := e.desk.Sends(); sends != 1 {
		t.Errorf("desk sends = %d, want 1", sends)
	}
}

func TestListeningWindowEndsBurst(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	e.chatter("u1", "checkout?")
	e.clock.Add(4 * time.Minute)
	e.chatter("u2", "checkout!")
	e.clock.Add(5*time.Minute + time.Second)
	e.chatter("u3", "checkout.")
	e.drain()
	sigs := e.signals()
	if len(sigs) != 2 || sigs[0].Count != 2 || sigs[1].Count != 1 {
		t.Fatalf("signals = %+v, want a burst of 2 then a new signal", sigs)
	}
}

func TestListeningSameMessageTwice(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	ev := core.MessageEvent{Place: community, ID: "77", Sender: core.Sender{UserID: "u1", Name: "Dana"}, Text: "checkout broke, I want a refund, awful"}
	e.handle(ev)
	e.handle(ev)
	e.drain()
	sigs := e.signals()
	if len(sigs) != 2 || sigs[0].Count != 1 || sigs[1].Count != 1 {
		t.Fatalf("signals = %+v, want one per rule, each holding the message once", sigs)
	}
	// Edits, deletes and reactions there are not recorded.
	e.handle(core.EditEvent{Place: community, ID: "77", Sender: ev.Sender, Text: "never mind"})
	e.handle(core.DeleteEvent{Place: community, ID: "77"})
	if n, err := e.worker.RunOnce(context.Background()); err != nil || n != 0 {
		t.Errorf("an edit or delete queued %d deliveries (%v)", n, err)
	}
}

func TestListeningDismiss(t *testing.T) {
	obs := &counter{matched: map[string]int{}}
	e := newEnv(t, listening(t, obs))
	e.chatter("u1", "checkout is slow")
	e.drain()
	sig := e.signals()[0]
	act := func(user, verb string) core.ActionResult {
		t.Helper()
		res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: deskChannel, Sender: core.Sender{UserID: user}, Name: "signal",
			Args: []string{verb, fmt.Sprint(int64(sig.ID))}, ID: e.id()})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := act("U-STRANGER", "dismiss"); !strings.Contains(res.Text, "Only staff") {
		t.Errorf("a stranger's dismiss answered %q", res.Text)
	}
	if res := act("U-ALICE", "frobnicate"); !strings.Contains(res.Text, "Usage") {
		t.Errorf("an unknown verb answered %q", res.Text)
	}
	e.clock.Add(3 * time.Minute)
	if res := act("U-ALICE", "dismiss"); res.Text != "Signal dismissed." {
		t.Fatalf("dismiss answered %q", res.Text)
	}
	if res := act("U-BOB", "dismiss"); !strings.Contains(res.Text, "already") {
		t.Errorf("a second dismiss answered %q", res.Text)
	}
	e.drain()
	got := e.signals()[0]
	if got.State != core.SignalDismissed || got.HandledBy != "staff:alice" {
		t.Errorf("signal = %+v, want dismissed by alice", got)
	}
	if card := e.desk.Posts(deskChannel)[0]; !strings.Contains(card.Text, "Dismissed by Alice Martin") || !card.Edited {
		t.Errorf("card = %+v, want it edited to say who dismissed it", card)
	}
	if len(obs.done) != 1 || obs.done[0] != core.SignalDismissed {
		t.Errorf("observer saw %v, want one dismissal", obs.done)
	}
	// A dismissed signal takes no more matches: the next opens another.
	e.chatter("u2", "checkout again")
	e.drain()
	if n := len(e.signals()); n != 2 {
		t.Errorf("%d signals after a match following a dismissal, want 2", n)
	}
}

func TestListeningRuleNeedsDesk(t *testing.T) {
	m, err := listen.NewMatcher([]listen.Rule{{Name: "x", Terms: []string{"x"}, Desk: "nowhere"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = relay.New(nil, relay.Config{Desks: []relay.Desk{{Name: "main", Place: deskChannel}}, Listening: relay.Listening{Rules: m}},
		[]core.Platform{bottest.NewMemory(core.Slack, deskChannel.Chat)}, nil, nil)
	if !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("New with a rule to an unknown desk = %v, want ErrInvalid", err)
	}
}

func TestStatsListening(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	e.chatter("u1", "checkout is broken, awful")
	e.chatter("u2", "checkout works for me, great")
	e.clock.Add(10 * time.Minute)
	e.chatter("u3", "My refund is late, terrible service")
	e.drain()
	sigs := e.signals()
	if len(sigs) != 2 {
		t.Fatalf("signals = %+v", sigs)
	}
	e.clock.Add(4 * time.Minute)
	if _, err := e.svc.Act(context.Background(), core.ActionEvent{Place: deskChannel, Sender: core.Sender{UserID: "U-ALICE"}, Name: "signal",
		Args: []string{"dismiss", fmt.Sprint(int64(sigs[0].ID))}, ID: e.id()}); err != nil {
		t.Fatal(err)
	}
	// !stats runs in a conversation's thread, like every desk command.
	e.customer("hello")
	e.drain()
	thread := e.conversation().Desk
	e.staff(thread, "U-ALICE", "!stats listening 7d")
	e.drain()
	got := strings.Join(texts(e.desk.Posts(thread)), "\n")
	for _, want := range []string{
		"Listening, last 7d", "Matches: 3 · negative: 2 (67%)", "checkout in Acme fans: 2 (0.3 a day), 1 negative",
		"refund in Acme fans: 1", "Signals: 2 · handled: 0 · dismissed: 1 · open: 1", "Median time to handle: 14m0s",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stats lack %q:\n%s", want, got)
		}
	}
}

// act presses a signal button as user in the desk channel.
func (e *env) press(user, verb string, id core.SignalID) core.ActionResult {
	e.t.Helper()
	res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: deskChannel, Sender: core.Sender{UserID: user}, Name: "signal",
		Args: []string{verb, fmt.Sprint(int64(id))}, ID: e.id()})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// convOf returns the newest conversation of a community member.
func (e *env) convOf(user string) core.Conversation {
	e.t.Helper()
	var conv core.Conversation
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Telegram, user)
		if err != nil {
			return err
		}
		cs, err := tx.Conversations(c.ID, 1)
		if err != nil || len(cs) == 0 {
			return fmt.Errorf("conversations of %s: %+v, %w", user, cs, err)
		}
		conv = cs[0]
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return conv
}

func TestListeningReplyInPlace(t *testing.T) {
	obs := &counter{matched: map[string]int{}}
	e := newEnv(t, listening(t, obs))
	orig := e.chatter("u5", "checkout froze twice today")
	e.drain()
	sig := e.signals()[0]
	if res := e.press("U-ALICE", "reply", sig.ID); !strings.Contains(res.Text, "write in its thread to reply in Acme fans") {
		t.Fatalf("reply answered %q", res.Text)
	}
	if res := e.press("U-BOB", "conversation", sig.ID); !strings.Contains(res.Text, "already") {
		t.Errorf("a second action answered %q", res.Text)
	}
	e.drain()
	conv := e.convOf("u5")
	if conv.Customer != community || conv.Anchor != orig || conv.Desk.Thread == "" {
		t.Fatalf("conversation = %+v, want one at the community anchored to %s with a desk thread", conv, orig)
	}
	thread := strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
	if !strings.Contains(thread, "checkout froze twice today") || !strings.Contains(thread, "Replies here go to Dana u5 in Acme fans") {
		t.Errorf("desk thread = %q, want the original and where replies go", thread)
	}
	e.staff(conv.Desk, "U-ALICE", "Sorry Dana! Fixed now — @everyone please retry")
	e.drain()
	posts := e.cust.Posts(community)
	if len(posts) != 1 || posts[0].Voice.Name != "Alice Martin" || posts[0].Kind != core.KindReply {
		t.Fatalf("community posts = %+v, want Alice's reply", posts)
	}
	if got := e.signals()[0]; got.State != core.SignalHandled || got.Action != "reply" {
		t.Errorf("signal = %+v, want handled by a reply", got)
	}
	if card := e.desk.Posts(deskChannel)[0]; !strings.Contains(card.Text, "Handled by Alice Martin: replying in place") {
		t.Errorf("card = %q", card.Text)
	}
	if len(obs.done) != 1 || obs.done[0] != core.SignalHandled {
		t.Errorf("observer saw %v", obs.done)
	}
}

func TestListeningOpenConversation(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	e.chatter("u6", "is the checkout down?")
	e.drain()
	sig := e.signals()[0]
	if res := e.press("U-ALICE", "conversation", sig.ID); !strings.Contains(res.Text, "message Dana u6 directly") {
		t.Fatalf("conversation answered %q", res.Text)
	}
	e.drain()
	conv := e.convOf("u6")
	if conv.Customer.Chat == community.Chat || conv.Anchor != "" || conv.Desk.Thread == "" {
		t.Fatalf("conversation = %+v, want a direct one with a desk thread", conv)
	}
	e.staff(conv.Desk, "U-ALICE", "Hi Dana, it is back up. Anything else?")
	e.drain()
	if got := e.cust.Posts(conv.Customer); len(got) != 1 || got[0].Voice.Name != "Alice Martin" {
		t.Errorf("direct posts at %v = %+v", conv.Customer, got)
	}
	if got := e.cust.Posts(community); len(got) != 0 {
		t.Errorf("the community saw %+v", got)
	}
}

// seedIdea records an idea proposed by a contact of its own, with no board.
func (e *env) seedIdea(title string) core.Idea {
	e.t.Helper()
	var i core.Idea
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		c := core.Contact{Name: "Proposer", Identities: []core.Identity{{Platform: core.Slack, UserID: "U-PROP-" + e.id()}}, CreatedAt: e.clock.Now()}
		if err := tx.CreateContact(&c); err != nil {
			return err
		}
		i = core.Idea{Title: title, Status: core.IdeaNew, Author: c.ID, AuthorName: c.Name, CreatedAt: e.clock.Now(), SourceID: e.id()}
		return tx.CreateIdea(&i)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return i
}

func TestListeningFeedbackForIdea(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	other := e.seedIdea("Dark mode for the app")
	guest := e.seedIdea("Guest checkout without an account")
	e.seedIdea("Faster shipping to Canada")
	e.chatter("u8", "Please let me checkout as a guest, making an account is annoying")
	e.drain()
	sig := e.signals()[0]
	card := e.desk.Posts(deskChannel)[0]
	var labels []string
	for _, b := range card.Buttons {
		labels = append(labels, b.Label)
	}
	want := []string{"Reply in place", "Open a conversation", fmt.Sprintf("Feedback for idea #%d", int64(guest.ID)), "Dismiss"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Fatalf("card buttons = %q, want %q", labels, want)
	}
	res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: deskChannel, Sender: core.Sender{UserID: "U-ALICE"}, Name: "signal",
		Args: []string{"idea", fmt.Sprint(int64(sig.ID)), "999"}, ID: e.id()})
	if err != nil || !strings.Contains(res.Text, "no idea #999") {
		t.Fatalf("feedback on an unknown idea = %q, %v", res.Text, err)
	}
	res, err = e.svc.Act(context.Background(), core.ActionEvent{Place: deskChannel, Sender: core.Sender{UserID: "U-ALICE"}, Name: "signal",
		Args: []string{"idea", fmt.Sprint(int64(sig.ID)), fmt.Sprint(int64(guest.ID))}, ID: e.id()})
	if err != nil || !strings.Contains(res.Text, "Dana u8 now follows it") {
		t.Fatalf("feedback = %q, %v", res.Text, err)
	}
	e.drain()
	err = e.store.InTx(context.Background(), func(tx core.Tx) error {
		i, err := tx.Idea(guest.ID)
		if err != nil {
			return err
		}
		if i.Comments != 1 {
			t.Errorf("idea comments = %d, want 1", i.Comments)
		}
		fs, err := tx.Followers(guest.ID)
		if err != nil {
			return err
		}
		c, err := tx.ContactByIdentity(core.Telegram, "u8")
		if err != nil {
			return err
		}
		found := false
		for _, f := range fs {
			found = found || f.Contact == c.ID
		}
		if !found {
			t.Errorf("followers = %+v, want the signal's author %d among them", fs, c.ID)
		}
		fo, _ := tx.Followers(other.ID)
		for _, f := range fo {
			if f.Contact == c.ID {
				t.Errorf("another idea gained the author as a follower: %+v", fo)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.signals()[0]; got.State != core.SignalHandled || got.Action != "idea" {
		t.Errorf("signal = %+v, want handled as feedback", got)
	}
}

func TestListeningErasedMessage(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	e.chatter("u4", "checkout lost my basket")
	e.drain()
	sig := e.signals()[0]
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Telegram, "u4")
		if err != nil {
			return err
		}
		_, err = tx.EraseContactSignalMessages(c.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"reply", "conversation"} {
		if res := e.press("U-ALICE", verb, sig.ID); !strings.Contains(res.Text, "erased") {
			t.Errorf("%s on an erased message answered %q", verb, res.Text)
		}
	}
	if got := e.signals()[0]; got.State != core.SignalOpen {
		t.Errorf("signal = %+v, want still open", got)
	}
	if res := e.press("U-ALICE", "dismiss", sig.ID); res.Text != "Signal dismissed." {
		t.Errorf("dismiss answered %q", res.Text)
	}
	e.drain()
	if card := e.desk.Posts(deskChannel)[0]; !strings.Contains(card.Text, "(erased)") || strings.Contains(card.Text, "basket") {
		t.Errorf("card = %q, want the text gone", card.Text)
	}
}

// TestListenedMessagesExportedAndErased: what listening kept of a person
// is in their export and goes with their erase, from the store and from
// the signal card that quoted it.
func TestListenedMessagesExportedAndErased(t *testing.T) {
	e := newEnv(t, listening(t, nil))
	const said = "the checkout ate my voucher, zanzibarword"
	e.chatter("u9", said)
	e.drain()
	var contact core.ContactID
	if err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Telegram, "u9")
		contact = c.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := e.svc.Export(context.Background(), contact, &archive); err != nil {
		t.Fatal(err)
	}
	if person := zipEntry(t, archive.Bytes(), "person.json"); !strings.Contains(person, "zanzibarword") {
		t.Errorf("person.json lacks what listening kept of them:\n%s", person)
	}
	if _, err := e.svc.EraseContact(context.Background(), contact, "api:test"); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if card := e.desk.Posts(deskChannel)[0]; strings.Contains(card.Text, "zanzibarword") || strings.Contains(card.Text, "Dana u9") {
		t.Errorf("the signal's card still quotes them after the erase: %q", card.Text)
	}
	if err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		ms, err := tx.ContactSignalMessages(contact)
		if len(ms) != 0 {
			t.Errorf("%d listened messages kept after the erase, want none", len(ms))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// zipEntry returns the text of the archive's entry name.
func zipEntry(t *testing.T, archive []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

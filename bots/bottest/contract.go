package bottest

import (
	"strings"
	"testing"
	"time"

	"cornershop/core"
	"cornershop/core/relay"
)

// Harness drives one adapter's emulator as its users would. An adapter's
// test implements it and calls Contract.
type Harness interface {
	// Platform returns the adapter under test, configured so that Desk is a
	// desk channel and the place CustomerWrites uses is a customer place.
	Platform() core.Platform
	// Desk is the desk channel (no thread).
	Desk() core.Place
	// StaffUserID is a user who may write in the desk; Contract puts them
	// in the staff directory.
	StaffUserID() string
	// CustomerWrites makes the customer write text and returns the customer
	// place, the customer's user id and the platform message id.
	CustomerWrites(t testing.TB, text string) (place core.Place, userID, msgID string)
	// StaffWrites makes the staff user write text in a desk thread and
	// returns the platform message id.
	StaffWrites(t testing.TB, thread core.Place, text string) string
	// StaffEdits changes a message the staff user wrote in a desk thread.
	StaffEdits(t testing.TB, thread core.Place, msgID, text string)
	// StaffDeletes deletes it; harnesses of platforms that send no delete
	// events return false.
	StaffDeletes(t testing.TB, thread core.Place, msgID string) bool
	// Shown lists what the bot posted at place (threads included when
	// place names one), oldest first, as a user would see it.
	Shown(t testing.TB, place core.Place) []Shown
	// RateLimitNext makes the platform answer the bot's next write with a
	// rate limit asking it to wait d.
	RateLimitNext(d time.Duration)
}

// Shown is one message the bot posted, as users see it.
type Shown struct {
	ID string
	// Author is the name shown as the sender (a webhook or username
	// override, an embed author), empty when the bot shows as itself.
	Author  string
	Text    string
	Deleted bool
}

// Staff is the staff member Contract configures.
var staffVoice = core.Voice{Name: "Alice Example", Title: "Support", AvatarURL: "https://example.com/alice.png"}

// Contract runs the adapter contract: receive a customer message, open a
// desk thread, deliver a reply in the staff member's voice, keep notes
// internal, mirror edits and deletes, and wait exactly as long as a rate
// limit asks.
func Contract(t *testing.T, h Harness) {
	p := h.Platform()
	cfg := relay.Config{
		Team:          core.Voice{Name: "Acme Team"},
		ReopenWindow:  time.Hour,
		NotePrefix:    "//",
		CommandPrefix: "!",
		Desks:         []relay.Desk{{Name: "main", Place: h.Desk()}},
		Staff:         []core.Staff{{ID: "alice", Voice: staffVoice, Roles: []core.Role{core.RoleAgent}, Identities: map[core.PlatformName]string{h.Desk().Platform: h.StaffUserID()}}},
	}
	s := Start(t, cfg, p)
	const wait = 15 * time.Second

	place, user, _ := h.CustomerWrites(t, "Hello, my order #42 never arrived")
	var conv core.Conversation
	Eventually(t, wait, "a desk thread for the new conversation", func() bool {
		c, ok := s.Conversation(t, p.Name(), user, place)
		conv = c
		return ok && c.Desk.Thread != ""
	})
	Eventually(t, wait, "the customer's message in the desk thread", func() bool {
		return shows(h.Shown(t, conv.Desk), "order #42")
	})

	replyID := h.StaffWrites(t, conv.Desk, "Sorry about that! A new parcel leaves today.")
	Eventually(t, wait, "the reply at the customer in the staff member's voice", func() bool {
		for _, m := range h.Shown(t, conv.Customer) {
			if strings.Contains(m.Text, "new parcel") && (strings.Contains(m.Author, "Alice") || strings.Contains(m.Text, "Alice")) {
				return true
			}
		}
		return false
	})

	h.StaffWrites(t, conv.Desk, "// internal: refund if it is lost again")
	h.StaffWrites(t, conv.Desk, "Anything else I can do?")
	Eventually(t, wait, "the second reply", func() bool { return shows(h.Shown(t, conv.Customer), "Anything else") })
	if shows(h.Shown(t, conv.Customer), "internal: refund") {
		t.Fatal("an internal note reached the customer")
	}

	h.StaffEdits(t, conv.Desk, replyID, "Sorry about that! A new parcel left today.")
	Eventually(t, wait, "the edit mirrored at the customer", func() bool { return shows(h.Shown(t, conv.Customer), "parcel left today") })

	h.RateLimitNext(time.Second)
	start := time.Now()
	h.StaffWrites(t, conv.Desk, "Tracking number follows.")
	Eventually(t, wait, "a rate-limited reply delivered after the wait", func() bool { return shows(h.Shown(t, conv.Customer), "Tracking number") })
	if took := time.Since(start); took < time.Second {
		t.Errorf("reply delivered %s after a 1s rate limit: the wait was not honoured", took)
	}

	id := h.StaffWrites(t, conv.Desk, "Oops, wrong customer")
	Eventually(t, wait, "the mistaken reply", func() bool { return shows(h.Shown(t, conv.Customer), "wrong customer") })
	if h.StaffDeletes(t, conv.Desk, id) {
		Eventually(t, wait, "the delete mirrored at the customer", func() bool { return !shows(h.Shown(t, conv.Customer), "wrong customer") })
	}
}

func shows(ms []Shown, text string) bool {
	for _, m := range ms {
		if !m.Deleted && strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

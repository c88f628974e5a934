package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cornershop/internal/browsertest"
	"cornershop/playground"
)

// Persona values of the page's "You are" list: platform, panel, persona.
const (
	asCarla      = "0:0:0" // Telegram customer
	asDave       = "0:0:1" // Telegram customer
	asDana       = "1:0:0" // Slack Connect customer
	asSlackAlice = "1:1:0" // Slack desk
	asBob        = "0:1:0" // Telegram forum desk
	asErin       = "2:0:0" // Discord community member
	asDcAlice    = "2:1:0" // Discord desk
)

// Panels of the page.
const (
	tgCustomer  = "section.telegram.customer"
	tgDesk      = "section.telegram.desk"
	slackShared = "section.slack.customer"
	slackDesk   = "section.slack.desk"
	dcCustomer  = "section.discord.customer"
	dcDesk      = "section.discord.desk"
)

// TestPlaygroundInBrowser plays the playground in headless Chromium
// against the real service and the three emulators: Carla asks on
// Telegram, the Slack desk shows the thread with its card, Alice answers
// there, Carla reads the answer signed by Alice; then an idea gets a vote
// from its card's button. Screenshots are kept as artifacts
// (CORNERSHOP_TEST_ARTIFACTS); docs/images/playground.png is one of them.
func TestPlaygroundInBrowser(t *testing.T) {
	path := browsertest.Chromium(t, "playground")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, svc, err := startDemo(ctx, filepath.Join(t.TempDir(), "playground.db"), io.Discard, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	h, err := playground.Handler(d.playScene())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	tab := browsertest.New(t, path, 1500, 1150)

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// until waits for a JavaScript condition on the page, which the
	// server-sent events make true once the service has acted.
	until := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			text, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("apps").innerText`))
			t.Fatalf("waiting for %s: %v\npage:\n%s", what, err, text)
		}
	}
	be := func(persona string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(w => { w.value = %q; w.dispatchEvent(new Event("change")); })(document.getElementById("who"))`, persona))
	}
	openChat := func(panel, chat string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(s => { s.value = %q; s.dispatchEvent(new Event("change")); })(document.querySelector(%q))`, chat, panel+" select.chat"))
	}
	// tap clicks the element sel in one step: the message lists redraw as
	// events come, so a node found first and clicked after may be gone.
	tap := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, sel))
	}
	write := func(panel, text string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.CSS(panel+` input[name=text]`), text),
			chromedp.Click(chromedp.CSS(panel + ` button[type=submit]`)),
		}
	}
	// shows is a condition: the element sel shows text.
	shows := func(sel, text string) string {
		return fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText.includes(%q)`, sel, text)
	}
	shot := func(name string) string {
		t.Helper()
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		return browsertest.KeepScreenshot(t, name, png)
	}

	run("load the page", chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.CSS(slackDesk)))
	until("the tour", `document.querySelectorAll("#tour li").length >= 8`)

	const question = "Hi! My order #1042 hasn't arrived yet. Can you check?"
	run("ask as Carla", append([]chromedp.Action[chromedp.Void]{be(asCarla)}, write(tgCustomer, question)...)...)
	until("Carla's question in her Telegram chat", shows(tgCustomer+" .messages", question))
	// The Slack desk: a card from the app with the customer's name, and
	// the question in its thread.
	until("the Slack desk thread with the card", fmt.Sprintf(`(() => {
		const card = document.querySelector(%q);
		const thread = document.querySelector(%q);
		return card && card.innerText.includes("Carla Customer") && thread && thread.innerText.includes(%q);
	})()`, slackDesk+" .messages > .msg.bot", slackDesk+" .messages .thread", question))

	const answer = "So sorry, Carla! A new parcel leaves today with express shipping."
	// The tour's second step picks Alice, her desk's newest thread and
	// fills in the answer; she sends it.
	run("take the tour's second step", chromedp.Click(chromedp.CSS("#tour li:nth-child(2) button")))
	until("Alice's answer ready in the thread", fmt.Sprintf(`document.querySelector(%q).value === %q && !!document.querySelector(%q)`,
		slackDesk+" input[name=text]", answer, slackDesk+" .thread.target"))
	run("answer as Alice", chromedp.Click(chromedp.CSS(slackDesk+" button[type=submit]")))
	until("the answer, signed by Alice, in Carla's Telegram chat", fmt.Sprintf(`[...document.querySelectorAll(%q)].some(m =>
		m.innerText.includes(%q) && m.innerText.includes("Alice Martin"))`, tgCustomer+" .msg.bot", answer))
	shot("playground-answer.png")

	ideas := strconv.FormatInt(d.tgIdeas.ID, 10)
	const idea = "Dark mode, easier on the eyes at night"
	run("propose an idea as Carla", append([]chromedp.Action[chromedp.Void]{be(asCarla), openChat(tgCustomer, ideas)}, write(tgCustomer, idea)...)...)
	vote := tgCustomer + " .msg.bot .buttons button"
	until("the idea's card with its vote button", fmt.Sprintf(`(() => { const b = document.querySelector(%q); return !!b && b.closest(".msg").innerText.includes(%q); })()`, vote, idea))
	run("vote as Dave", be(asDave), openChat(tgCustomer, ideas))
	until("the ideas group for Dave", fmt.Sprintf(`!!document.querySelector(%q)`, vote))
	run("press the vote button", tap(vote))
	until("the card counting Dave's vote", fmt.Sprintf(`document.querySelector(%q).closest(".msg").innerText.includes("2 votes")`, vote))
	until("the bot's notice to Dave", shows("#status", "cornershop to Dave Voter:"))

	// Erin votes from Discord; Alice plans the idea from the Slack desk;
	// every voter hears it.
	run("vote as Erin", append([]chromedp.Action[chromedp.Void]{be(asErin)}, write(dcCustomer, "/vote 1")...)...)
	until("the card counting Erin's vote", fmt.Sprintf(`document.querySelector(%q).closest(".msg").innerText.includes("3 votes")`, vote))
	run("plan as Alice", append([]chromedp.Action[chromedp.Void]{be(asSlackAlice),
		tap(slackDesk + " .thread button.reply")}, write(slackDesk, "!idea 1 planned We start in May.")...)...)
	until("Erin told in her Discord DM", shows(dcCustomer+" .messages", "We start in May"))
	// A Slack Connect customer opens a topic in the Telegram forum desk.
	const invoice = "Our last invoice counts 12 seats, we have 10."
	run("write as Dana", append([]chromedp.Action[chromedp.Void]{be(asDana)}, write(slackShared, invoice)...)...)
	until("the Telegram desk topic", shows(tgDesk+" .messages .thread", invoice))
	// A Discord community member mentions the bot: a thread opens in the
	// Discord desk.
	const save = "how do I move my save to a new PC?"
	run("ask as Erin in #support", append([]chromedp.Action[chromedp.Void]{be(asErin), openChat(dcCustomer, d.dcSupport.ID)},
		write(dcCustomer, "@cornershop "+save)...)...)
	until("the Discord desk thread", shows(dcDesk+" .messages .thread", save))
	// Staff answer in the Telegram forum topic and the Discord desk thread;
	// the customers read them in their own threads.
	const refund = "You're right, Dana: I've refunded the 2 extra seats."
	run("answer as Bob", append([]chromedp.Action[chromedp.Void]{be(asBob), tap(tgDesk + " .thread button.reply")},
		write(tgDesk, refund)...)...)
	until("Dana reads Bob's answer", fmt.Sprintf(`(() => { const t = document.querySelector(%q); return !!t && t.innerText.includes(%q) && t.innerText.includes("Bob Stone"); })()`,
		slackShared+" .messages .thread", refund))
	const export = "Settings, Saves, Export, then Import on the new PC."
	run("answer as Alice on Discord", append([]chromedp.Action[chromedp.Void]{be(asDcAlice), tap(dcDesk + " .thread button.reply")},
		write(dcDesk, export)...)...)
	until("Erin reads Alice's answer", fmt.Sprintf(`(() => { const t = document.querySelector(%q); return !!t && t.innerText.includes(%q) && t.innerText.includes("Alice Martin"); })()`,
		dcCustomer+" .messages .thread", export))
	run("back to Carla's chat", be(asCarla), openChat(tgCustomer, strconv.FormatInt(d.carla.ID, 10)))
	until("Carla told the idea is planned", shows(tgCustomer+" .messages", "Planned"))
	final := shot("playground.png")

	if os.Getenv("CORNERSHOP_UPDATE_DOC_IMAGES") == "1" {
		b, err := os.ReadFile(final)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repoRoot, "docs", "images", "playground.png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if text, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("apps").innerText`)); strings.Contains(text, "undefined") {
		t.Errorf("the page shows %q", text)
	}
	// Nothing leaves the machine: avatars are initials, not fetched.
	fetched, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range fetched {
		if !strings.HasPrefix(u, srv.URL+"/") {
			t.Errorf("the page fetched %s", u)
		}
	}
	if len(fetched) < 4 {
		t.Errorf("the page fetched only %q", fetched)
	}
}

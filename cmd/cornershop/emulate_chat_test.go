package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cornershop/bots/slack/slackfake"
)

// TestEmulateChatFirstMessage: getting started's second step as a test —
// the Slack emulator in chat mode, serve configured as the guide says, a
// customer's first line reaches the desk with its card, and Alice's
// answer reaches the customer in her name.
func TestEmulateChatFirstMessage(t *testing.T) {
	sl, err := slackfake.Start("127.0.0.1:0", slackfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sl.Close() })
	desk, alice, _, customer, shared := sl.SeedDemo()
	startServe(t, map[string]string{
		"CORNERSHOP_HTTP_LISTEN":              "127.0.0.1:0",
		"CORNERSHOP_DATABASE_DSN":             filepath.Join(t.TempDir(), "c.db"),
		"CORNERSHOP_SLACK_ENABLED":            "true",
		"CORNERSHOP_SLACK_BOT_TOKEN":          sl.BotToken(),
		"CORNERSHOP_SLACK_APP_TOKEN":          sl.AppToken(),
		"CORNERSHOP_SLACK_API_URL":            sl.APIURL(),
		"CORNERSHOP_SLACK_CUSTOMER_CHANNELS":  shared.ID,
		"CORNERSHOP_DESKS_0_NAME":             "support",
		"CORNERSHOP_DESKS_0_PLATFORM":         "slack",
		"CORNERSHOP_DESKS_0_CHANNEL":          desk.ID,
		"CORNERSHOP_STAFF_0_ID":               "alice",
		"CORNERSHOP_STAFF_0_NAME":             "Alice Martin",
		"CORNERSHOP_STAFF_0_IDENTITIES_SLACK": alice.ID,
	})
	ctx, cancel := context.WithCancel(context.Background())
	in, typed := io.Pipe()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- slackChat{sl: sl, desk: desk, shared: shared, alice: alice, customer: customer}.run(ctx, in, out)
	}()
	t.Cleanup(func() {
		cancel()
		typed.Close()
		<-done
	})
	sl.WaitFor(ctx, func() bool { return sl.Connected() > 0 })
	fmt.Fprintln(typed, "Hi! My order #1042 has not arrived.")
	eventually(t, 10*time.Second, "the customer's message in the desk thread", func() bool {
		return strings.Contains(out.String(), "[#support-desk (thread)] "+customer.RealName+": Hi! My order #1042 has not arrived.")
	})
	if !strings.Contains(out.String(), "[#support-desk] cornershop: "+customer.RealName+" — open.") {
		t.Errorf("no contact card in the desk:\n%s", out.String())
	}
	fmt.Fprintln(typed, staffPrefix+"So sorry! A new parcel leaves today.")
	eventually(t, 10*time.Second, "Alice's answer at the customer", func() bool {
		return strings.Contains(out.String(), "[#"+shared.Name+" (thread)] Alice Martin: So sorry! A new parcel leaves today.")
	})
}

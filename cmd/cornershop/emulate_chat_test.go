package main

import (
	"context"
	"fmt"
	"io"
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
	env := slackDeskEnv(t, sl, desk, alice)
	env["CORNERSHOP_SLACK_CUSTOMER_CHANNELS"] = shared.ID
	startServe(t, env)
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

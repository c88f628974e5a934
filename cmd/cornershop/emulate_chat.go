package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"cornershop/bots/slack/slackfake"
)

// slackChat lets a person play both sides of the Slack emulator from a
// terminal (`cornershop emulate slack --chat`): each line read from in is
// posted by the customer in the Slack Connect channel; a line starting
// with "alice: " is posted by Alice in the desk thread of the newest
// conversation. Every post the bot makes in either channel is written to
// out. It returns when in ends or ctx does.
type slackChat struct {
	sl       *slackfake.Server
	desk     slackfake.Channel
	shared   slackfake.Channel
	alice    slackfake.User
	customer slackfake.User
}

// staffPrefix marks a line Alice writes in the desk.
const staffPrefix = "alice: "

func (c slackChat) run(ctx context.Context, in io.Reader, out io.Writer) error {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	seen := map[string]bool{}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	fmt.Fprintf(out, "Type a line to write as %s in #%s; start it with %q to answer as %s in the desk.\n",
		c.customer.RealName, c.shared.Name, staffPrefix, c.alice.RealName)
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			if err := c.say(line); err != nil {
				fmt.Fprintln(out, "emulator:", err)
			}
		case <-tick.C:
			c.print(out, seen)
		}
	}
}

// say posts one typed line as the customer or, with staffPrefix, as Alice.
func (c slackChat) say(line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	text, staff := strings.CutPrefix(line, staffPrefix)
	if !staff {
		_, err := c.sl.Post(c.shared.ID, c.customer, line, "")
		return err
	}
	thread := ""
	for _, m := range c.sl.BotMessages(c.desk.ID, "") {
		if m.ThreadTS == "" {
			thread = m.TS // the newest conversation's card
		}
	}
	if thread == "" {
		return fmt.Errorf("no conversation in #%s yet: write as the customer first", c.desk.Name)
	}
	_, err := c.sl.Post(c.desk.ID, c.alice, text, thread)
	return err
}

// print writes the bot's posts not printed yet.
func (c slackChat) print(out io.Writer, seen map[string]bool) {
	for _, ch := range []slackfake.Channel{c.desk, c.shared} {
		for _, m := range c.sl.BotMessages(ch.ID, "") {
			key := ch.ID + "/" + m.TS
			if seen[key] || m.Deleted {
				continue
			}
			seen[key] = true
			who := m.Username
			if who == "" {
				who = "cornershop"
			}
			where := "#" + ch.Name
			if m.ThreadTS != "" {
				where += " (thread)"
			}
			fmt.Fprintf(out, "[%s] %s: %s\n", where, who, m.Text)
		}
	}
}

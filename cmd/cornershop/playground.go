package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"cornershop/bots/telegram/telegramfake"
	"cornershop/playground"
)

// cmdPlayground runs `cornershop playground`: the demo's emulators and
// service, and a web page to play their customers and staff.
func cmdPlayground(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("playground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "`address` of the playground page")
	data := fs.String("data", "", "`directory` for the SQLite database (default: a temporary one, removed at exit)")
	verbose := fs.Bool("v", false, "show the service's logs")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "cornershop-playground-")
		if err != nil {
			return fmt.Errorf("playground: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("playground: %w", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("playground: %w", err)
	}
	defer ln.Close()
	d, svc, err := startDemo(ctx, filepath.Join(dir, "playground.db"), io.Discard, demoLogger(*verbose, getenv, stderr))
	if err != nil {
		return err
	}
	h, err := playground.Handler(d.playScene())
	if err != nil {
		_ = svc.Close()
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "cornershop playground: open http://%s (Ctrl-C to stop)\n"+
		"  the service     http://%s\n  Telegram        %s/emulator/\n  Slack           %s/emulator/\n  Discord         %s/emulator/\n",
		ln.Addr(), svc.addr, d.tg.URL(), d.sl.URL(), d.dc.URL())
	var serveErr error
	select {
	case <-svc.ctx.Done():
	case serveErr = <-served:
	}
	_ = srv.Close() // event streams stay open: no graceful wait
	if err := svc.Close(); err != nil {
		return fmt.Errorf("playground: %w", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("playground: %w", serveErr)
	}
	return nil
}

// playScene is who the visitor can be in the playground, and the tour.
func (d *demo) playScene() playground.Scene {
	tg := func(n int64) string { return strconv.FormatInt(n, 10) }
	dm := d.dc.DMChannel(d.erin)
	tgPeople := func(us ...telegramfake.User) []playground.Persona {
		var out []playground.Persona
		for _, u := range us {
			out = append(out, playground.Persona{ID: tg(u.ID), Name: u.FirstName + " " + u.LastName})
		}
		return out
	}
	ideas := tg(d.tgIdeas.ID)
	return playground.Scene{
		Team: "Acme Support",
		Platforms: []playground.Platform{
			{ID: "telegram", Name: "Telegram", API: d.tg.URL(), Panels: []playground.Panel{
				{Side: "customer", Title: "customers", Personas: tgPeople(d.carla, d.dave, d.fay), Chats: []playground.Chat{
					{ID: tg(d.carla.ID), Title: "Carla ↔ Acme bot", Persona: tg(d.carla.ID)},
					{ID: tg(d.dave.ID), Title: "Dave ↔ Acme bot", Persona: tg(d.dave.ID)},
					{ID: tg(d.fay.ID), Title: "Fay ↔ Acme bot", Persona: tg(d.fay.ID)},
					{ID: ideas, Title: "Acme ideas (group)"},
				}},
				{Side: "desk", Title: "billing desk (forum)", Personas: tgPeople(d.bob), Chats: []playground.Chat{
					{ID: tg(d.tgDesk.ID), Title: d.tgDesk.Title},
				}},
			}},
			{ID: "slack", Name: "Slack", API: d.sl.URL(), Panels: []playground.Panel{
				{Side: "customer", Title: "Slack Connect", Personas: []playground.Persona{{ID: d.dana.ID, Name: d.dana.RealName}},
					Chats: []playground.Chat{{ID: d.shared.ID, Title: "#" + d.shared.Name}}},
				{Side: "desk", Title: "support desk", Personas: []playground.Persona{{ID: d.alice.ID, Name: d.alice.RealName}},
					Chats: []playground.Chat{{ID: d.slDesk.ID, Title: "#" + d.slDesk.Name}}},
			}},
			{ID: "discord", Name: "Discord", API: d.dc.URL(), Mentions: map[string]string{"@cornershop": "<@" + d.dc.Bot().ID + ">"},
				Panels: []playground.Panel{
					{Side: "customer", Title: "community", Personas: []playground.Persona{{ID: d.erin.ID, Name: d.erin.Global}}, Chats: []playground.Chat{
						{ID: dm.ID, Title: "Erin ↔ cornershop (DM)", Persona: d.erin.ID},
						{ID: d.dcSupport.ID, Title: "#" + d.dcSupport.Name + " (mention @cornershop)"},
					}},
					{Side: "desk", Title: "community desk", Personas: []playground.Persona{{ID: d.dcAlice.ID, Name: d.dcAlice.Global}},
						Chats: []playground.Chat{{ID: d.dcDesk.ID, Title: "#" + d.dcDesk.Name}}},
				}},
		},
		Tour: []playground.Step{
			{Hint: "As Carla on Telegram, ask a question: it opens a thread in the Slack desk.", Platform: "telegram", Persona: tg(d.carla.ID), Chat: tg(d.carla.ID),
				Say: "Hi! My order #1042 hasn't arrived yet. Can you check?"},
			{Hint: "As Alice in the Slack desk, answer in the thread: Carla gets it signed by Alice.", Platform: "slack", Persona: d.alice.ID, Chat: d.slDesk.ID, Thread: "latest",
				Say: "So sorry, Carla! A new parcel leaves today with express shipping."},
			{Hint: "Write a note: it stays in the desk.", Platform: "slack", Persona: d.alice.ID, Chat: d.slDesk.ID, Thread: "latest",
				Say: "// Carrier lost parcels in Lyon this week"},
			{Hint: "Answer as the team rather than as yourself.", Platform: "slack", Persona: d.alice.ID, Chat: d.slDesk.ID, Thread: "latest",
				Say: "!team Thanks for your patience, the whole team is on it."},
			{Hint: "As Dana (Slack Connect), write: the Telegram forum desk gets a topic; answer there as Bob.", Platform: "slack", Persona: d.dana.ID, Chat: d.shared.ID,
				Say: "Our last invoice counts 12 seats, we have 10."},
			{Hint: "As Erin, ask in Discord #support (mention @cornershop); answer from the Discord desk as Alice.", Platform: "discord", Persona: d.erin.ID, Chat: d.dcSupport.ID,
				Say: "@cornershop how do I move my save to a new PC?"},
			{Hint: "As Carla, propose an idea in the Acme ideas group: it becomes a card with a vote button.", Platform: "telegram", Persona: tg(d.carla.ID), Chat: ideas,
				Say: "Dark mode, easier on the eyes at night"},
			{Hint: "As Dave, press 👍 on the idea's card.", Platform: "telegram", Persona: tg(d.dave.ID), Chat: ideas},
			{Hint: "As Erin, vote from Discord too.", Platform: "discord", Persona: d.erin.ID, Chat: dm.ID, Say: "/vote 1"},
			{Hint: "As Alice, move the idea to planned: every voter is told.", Platform: "slack", Persona: d.alice.ID, Chat: d.slDesk.ID, Thread: "latest",
				Say: "!idea 1 planned We start in May."},
		},
	}
}

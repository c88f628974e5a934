package discordfake_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord/discordfake"
)

func start(t *testing.T) (*discordfake.Server, *discordgo.Session) {
	t.Helper()
	s, err := discordfake.Start("127.0.0.1:0", discordfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dg, err := discordgo.New("Bot " + s.Token())
	if err != nil {
		t.Fatal(err)
	}
	dg.Client = s.HTTPClient()
	dg.ShouldRetryOnRateLimit = false
	return s, dg
}

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Message == nil || re.Message.Code != code {
		t.Errorf("error = %v, want Discord code %d", err, code)
	}
}

func TestWebhooksVoiceAndMentions(t *testing.T) {
	s, dg := start(t)
	_, _, _, _, support, _, _ := s.SeedDemo()
	wh, err := dg.WebhookCreate(support.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	th, err := dg.ThreadStartComplex(support.ID, &discordgo.ThreadStart{Name: "Erin", Type: discordgo.ChannelTypeGuildPublicThread})
	if err != nil {
		t.Fatal(err)
	}
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	m, err := dg.WebhookThreadExecute(wh.ID, wh.Token, true, th.ID, &discordgo.WebhookParams{Content: "hi @everyone", Username: "Alice Martin", AvatarURL: "https://example.com/a.png", AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	got := s.BotMessages(th.ID)
	if len(got) != 1 || got[0].Username != "Alice Martin" || got[0].AvatarURL != "https://example.com/a.png" || len(got[0].Pings) != 0 || m.WebhookID != wh.ID {
		t.Fatalf("webhook message = %+v", got)
	}
	// Without allowed_mentions a bot message pings @everyone.
	if _, err := dg.ChannelMessageSend(support.ID, "hello @everyone"); err != nil {
		t.Fatal(err)
	}
	if p := s.Pings(); len(p) != 1 || p[0] != "@everyone" {
		t.Errorf("pings = %v, want @everyone from the bot message", p)
	}
	edit := "edited <@123>"
	if _, err := dg.WebhookMessageEdit(wh.ID, wh.Token, m.ID, &discordgo.WebhookEdit{Content: &edit, AllowedMentions: none}, func(cfg *discordgo.RequestConfig) {
		cfg.Request.URL.RawQuery = "thread_id=" + th.ID
	}); err != nil {
		t.Fatalf("edit in thread: %v", err)
	}
	if got := s.BotMessages(th.ID); got[0].Content != edit || !got[0].Edited {
		t.Errorf("after edit = %+v", got[0])
	}
	_, err = dg.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: "x", Username: "Discord Admin"})
	wantCode(t, err, 50035)
	for range 14 {
		if _, err := dg.WebhookCreate(support.ID, "hook", ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err = dg.WebhookCreate(support.ID, "one too many", "")
	wantCode(t, err, 30007)
	_, err = dg.ChannelMessageSend(support.ID, strings.Repeat("x", 2001))
	wantCode(t, err, 50035)
}

func TestForumDMAndRateLimit(t *testing.T) {
	s, dg := start(t)
	customer, _, _, _, _, _, forum := s.SeedDemo()
	ch, _ := s.Channel(forum.ID)
	th, err := dg.ForumThreadStartComplex(forum.ID, &discordgo.ThreadStart{Name: "Erin", AppliedTags: []string{ch.Tags[0].ID}}, &discordgo.MessageSend{Content: "card"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.BotMessages(th.ID); len(got) != 1 || got[0].ID != th.ID || got[0].Content != "card" {
		t.Errorf("forum post = %+v", got)
	}
	_, err = dg.ChannelMessageSend(forum.ID, "x")
	wantCode(t, err, 50008)
	dm, err := dg.UserChannelCreate(customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.ChannelMessageSendEmbed(dm.ID, &discordgo.MessageEmbed{Description: "hi", Author: &discordgo.MessageEmbedAuthor{Name: "Alice"}}); err != nil {
		t.Fatal(err)
	}
	if got := s.BotMessages(dm.ID); len(got) != 1 || got[0].Embeds[0].Author.Name != "Alice" {
		t.Errorf("dm = %+v", got)
	}
	s.CloseDMs(customer)
	_, err = dg.ChannelMessageSend(dm.ID, "x")
	wantCode(t, err, 50007)
	s.RateLimitNext("/messages", 1, 0.5)
	_, err = dg.ChannelMessageSend(th.ID, "x")
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 500*time.Millisecond {
		t.Errorf("429 = %v", err)
	}
}

func TestGatewayIntentsResumeAndInteractions(t *testing.T) {
	s, dg := start(t)
	customer, alice, _, _, support, _, _ := s.SeedDemo()
	dg.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentsMessageContent
	dg.SyncEvents = true // handlers in arrival order, so the sequence can be checked
	var mu sync.Mutex
	var seen []string
	var interactions []string
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		mu.Lock()
		seen = append(seen, m.Content)
		mu.Unlock()
	})
	dg.AddHandler(func(ses *discordgo.Session, i *discordgo.InteractionCreate) {
		mu.Lock()
		interactions = append(interactions, i.ApplicationCommandData().Name)
		mu.Unlock()
		_ = ses.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Content: "Closed.", Flags: discordgo.MessageFlagsEphemeral}})
	})
	if err := dg.Open(); err != nil {
		t.Fatal(err)
	}
	defer dg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(seen) }
	if _, err := s.Send(support.ID, customer, "one"); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitFor(ctx, func() bool { return count() == 1 }); err != nil {
		t.Fatal("first message not received")
	}
	s.DropGateway()
	for _, text := range []string{"two", "three"} {
		if _, err := s.Send(support.ID, alice, text); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WaitFor(ctx, func() bool { return count() >= 3 }); err != nil {
		t.Fatalf("missed events not replayed after resume: %q", seen)
	}
	mu.Lock()
	if strings.Join(seen, ",") != "one,two,three" {
		t.Errorf("events = %q, want each exactly once in order", seen)
	}
	mu.Unlock()
	id := s.Command(support.ID, alice, "cornershop", map[string]string{"action": "close"})
	if err := s.WaitFor(ctx, func() bool { _, _, ok := s.Response(id); return ok }); err != nil {
		t.Fatal("interaction not answered")
	}
	if typ, content, _ := s.Response(id); typ != 4 || content != "Closed." {
		t.Errorf("response = %d %q", typ, content)
	}
}

func TestNoContentWithoutIntent(t *testing.T) {
	s, dg := start(t)
	customer, _, _, _, support, _, _ := s.SeedDemo()
	dg.Identify.Intents = discordgo.IntentsGuildMessages
	dg.SyncEvents = true
	got := make(chan string, 2)
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m.Content })
	if err := dg.Open(); err != nil {
		t.Fatal(err)
	}
	defer dg.Close()
	if _, err := s.Send(support.ID, customer, "secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(support.ID, customer, "hey <@"+s.Bot().ID+">"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"", "hey <@" + s.Bot().ID + ">"} {
		select {
		case c := <-got:
			if c != want {
				t.Errorf("content = %q, want %q", c, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no message event")
		}
	}
}

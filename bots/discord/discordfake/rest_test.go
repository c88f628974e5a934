package discordfake_test

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord/discordfake"
)

func TestBadToken(t *testing.T) {
	s, _ := start(t, discordfake.Options{})
	dg, _ := discordgo.New("Bot wrong")
	dg.Client = s.HTTPClient()
	_, err := dg.User("@me")
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || re.Message.Message != "401: Unauthorized" {
		t.Fatalf("bad token: %v", err)
	}
	if err := dg.Open(); err == nil {
		dg.Close()
		t.Fatal("gateway accepted a bad token")
	}
}

func TestMessages(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	me, err := dg.User("@me")
	if err != nil || me.ID != s.Bot().ID || !me.Bot {
		t.Fatalf("users/@me = %+v, %v", me, err)
	}
	first, err := dg.ChannelMessageSendComplex(d.Support.ID, &discordgo.MessageSend{Content: "hello", AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := dg.ChannelMessageSendComplex(d.Support.ID, &discordgo.MessageSend{Content: "with file", AllowedMentions: none,
		Reference: first.Reference(), Files: []*discordgo.File{{Name: "a.txt", ContentType: "text/plain", Reader: strings.NewReader("data")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(reply.Attachments) != 1 || reply.Attachments[0].Filename != "a.txt" || reply.MessageReference == nil || reply.MessageReference.MessageID != first.ID {
		t.Fatalf("multipart reply = %+v", reply)
	}
	resp, err := s.HTTPClient().Get(reply.Attachments[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	if body.String() != "data" {
		t.Errorf("attachment download = %q", body.String())
	}
	content := "edited"
	if _, err := dg.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: first.ID, Channel: d.Support.ID, Content: &content, AllowedMentions: none}); err != nil {
		t.Fatal(err)
	}
	got, err := dg.ChannelMessage(d.Support.ID, first.ID)
	if err != nil || got.Content != "edited" || got.EditedTimestamp == nil {
		t.Fatalf("after edit = %+v, %v", got, err)
	}
	list, err := dg.ChannelMessages(d.Support.ID, 10, "", "", "")
	if err != nil || len(list) != 2 || list[0].ID != reply.ID {
		t.Fatalf("list = %v, %v (want newest first)", list, err)
	}
	if err := dg.ChannelMessageDelete(d.Support.ID, reply.ID); err != nil {
		t.Fatal(err)
	}
	if m := s.BotMessages(d.Support.ID); len(m) != 2 || !m[1].Deleted || m[0].Edits[0] != "hello" {
		t.Errorf("recorded = %+v", m)
	}
	kinds := []string{}
	for _, a := range s.Actions(d.Support.ID) {
		kinds = append(kinds, a.Kind)
	}
	if strings.Join(kinds, ",") != "send,send,edit,delete" {
		t.Errorf("actions = %v", kinds)
	}

	bigEmbed := &discordgo.MessageEmbed{Description: strings.Repeat("d", 4000), Fields: []*discordgo.MessageEmbedField{{Name: "n", Value: strings.Repeat("v", 1024)}, {Name: "n", Value: strings.Repeat("v", 1024)}}}
	for _, tc := range []struct {
		name          string
		channel       string
		send          *discordgo.MessageSend
		code          int
		field, detail string
	}{
		{"content over 2000", d.Support.ID, &discordgo.MessageSend{Content: strings.Repeat("x", 2001)}, 50035, "content", "BASE_TYPE_MAX_LENGTH"},
		{"embeds over 6000", d.Support.ID, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{bigEmbed}}, 50035, "embeds", "MAX_EMBED_SIZE_EXCEEDED"},
		{"empty", d.Support.ID, &discordgo.MessageSend{}, 50006, "", ""},
		{"unknown channel", "999", &discordgo.MessageSend{Content: "x"}, 10003, "", ""},
		{"forum", d.Forum.ID, &discordgo.MessageSend{Content: "x"}, 50008, "", ""},
		{"reply to unknown", d.Support.ID, &discordgo.MessageSend{Content: "x", Reference: &discordgo.MessageReference{MessageID: "42"}}, 50035, "message_reference", "REPLIES_UNKNOWN_MESSAGE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dg.ChannelMessageSendComplex(tc.channel, tc.send)
			wantCode(t, err, tc.code, tc.field, tc.detail)
		})
	}
	_, err = dg.ChannelMessage(d.Support.ID, "12345")
	wantCode(t, err, 10008, "", "")
}

func TestDMs(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	dm, err := dg.UserChannelCreate(d.Customer.ID)
	if err != nil || dm.Type != discordgo.ChannelTypeDM || dm.Recipients[0].ID != d.Customer.ID {
		t.Fatalf("dm = %+v, %v", dm, err)
	}
	if again, _ := dg.UserChannelCreate(d.Customer.ID); again.ID != dm.ID {
		t.Errorf("second create made a new DM channel")
	}
	if dm.ID != s.DMChannel(d.Customer).ID {
		t.Errorf("DMChannel disagrees with users/@me/channels")
	}
	e := &discordgo.MessageEmbed{Description: "hi", Author: &discordgo.MessageEmbedAuthor{Name: "Alice", IconURL: d.Alice.AvatarURL()}}
	if _, err := dg.ChannelMessageSendComplex(dm.ID, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{e}, AllowedMentions: none}); err != nil {
		t.Fatal(err)
	}
	if got := s.BotMessages(dm.ID); len(got) != 1 || got[0].Embeds[0].Author.Name != "Alice" || got[0].Embeds[0].Author.IconURL == "" {
		t.Errorf("dm = %+v", got)
	}
	s.CloseDMs(d.Customer)
	_, err = dg.ChannelMessageSend(dm.ID, "x")
	wantCode(t, err, 50007, "", "")
}

func TestWebhooks(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	_, err := dg.WebhookCreate(d.Support.ID, "Discord relay", "")
	wantCode(t, err, 50035, "name", "USERNAME_INVALID_CONTAINS")
	wh, err := dg.WebhookCreate(d.Support.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	th, err := dg.ThreadStartComplex(d.Support.ID, &discordgo.ThreadStart{Name: "Erin", Type: discordgo.ChannelTypeGuildPublicThread})
	if err != nil {
		t.Fatal(err)
	}
	m, err := dg.WebhookThreadExecute(wh.ID, wh.Token, true, th.ID, &discordgo.WebhookParams{Content: "hi @everyone", Username: "Alice Martin", AvatarURL: "https://example.com/a.png", AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	got := s.BotMessages(th.ID)
	if len(got) != 1 || got[0].Username != "Alice Martin" || got[0].AvatarURL != "https://example.com/a.png" || len(got[0].Pings) != 0 || m.WebhookID != wh.ID || m.Author.Username != "Alice Martin" {
		t.Fatalf("webhook message = %+v / %+v", got, m)
	}
	if nowait, err := dg.WebhookExecute(wh.ID, wh.Token, false, &discordgo.WebhookParams{Content: "fire and forget"}); err != nil || nowait != nil {
		t.Errorf("wait=false = %v, %v", nowait, err)
	}
	edit := "edited"
	withThread := func(cfg *discordgo.RequestConfig) { cfg.Request.URL.RawQuery = "thread_id=" + th.ID }
	_, err = dg.WebhookMessageEdit(wh.ID, wh.Token, m.ID, &discordgo.WebhookEdit{Content: &edit, AllowedMentions: none})
	wantCode(t, err, 10008, "", "") // a thread message needs ?thread_id=
	if _, err := dg.WebhookMessageEdit(wh.ID, wh.Token, m.ID, &discordgo.WebhookEdit{Content: &edit, AllowedMentions: none}, withThread); err != nil {
		t.Fatalf("edit in thread: %v", err)
	}
	if got := s.BotMessages(th.ID); got[0].Content != edit || !got[0].Edited {
		t.Errorf("after edit = %+v", got[0])
	}
	if err := dg.WebhookMessageDelete(wh.ID, wh.Token, m.ID, withThread); err != nil {
		t.Fatal(err)
	}
	_, err = dg.WebhookExecute(wh.ID, "bad-token", true, &discordgo.WebhookParams{Content: "x"})
	wantCode(t, err, 10015, "", "")
	for _, tc := range []struct{ username, code string }{
		{"Discord Admin", "USERNAME_INVALID_CONTAINS"},
		{"clyde", "USERNAME_INVALID_CONTAINS"},
		{"everyone", "USERNAME_INVALID"},
		{"here", "USERNAME_INVALID"},
		{strings.Repeat("a", 81), "BASE_TYPE_BAD_LENGTH"},
	} {
		t.Run("username "+tc.username[:min(8, len(tc.username))], func(t *testing.T) {
			_, err := dg.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: "x", Username: tc.username})
			wantCode(t, err, 50035, "username", tc.code)
		})
	}
	for range 14 {
		if _, err := dg.WebhookCreate(d.Support.ID, "hook", ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err = dg.WebhookCreate(d.Support.ID, "one too many", "")
	wantCode(t, err, 30007, "", "")
	if hooks, err := dg.ChannelWebhooks(d.Support.ID); err != nil || len(hooks) != 15 {
		t.Errorf("list = %d, %v", len(hooks), err)
	}
}

func TestForumPostsAndThreads(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	forum, err := dg.Channel(d.Forum.ID)
	if err != nil || len(forum.AvailableTags) != 3 || forum.Type != discordgo.ChannelTypeGuildForum {
		t.Fatalf("forum = %+v, %v", forum, err)
	}
	open, closed := forum.AvailableTags[0].ID, forum.AvailableTags[2].ID
	post, err := dg.ForumThreadStartComplex(d.Forum.ID, &discordgo.ThreadStart{Name: "Erin", AppliedTags: []string{open}}, &discordgo.MessageSend{Content: "card", AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.BotMessages(post.ID); len(got) != 1 || got[0].ID != post.ID || got[0].Content != "card" || !slices.Equal(post.AppliedTags, []string{open}) {
		t.Errorf("forum post = %+v %+v", post, got)
	}
	_, err = dg.ForumThreadStartComplex(d.Forum.ID, &discordgo.ThreadStart{Name: "x", AppliedTags: []string{"1"}}, &discordgo.MessageSend{Content: "card"})
	wantCode(t, err, 50035, "applied_tags.0", "BASE_TYPE_CHOICES")

	archived, locked := true, true
	tags := []string{closed}
	ch, err := dg.ChannelEditComplex(post.ID, &discordgo.ChannelEdit{Name: "Erin (closed)", Archived: &archived, Locked: &locked, AppliedTags: &tags})
	if err != nil || !ch.ThreadMetadata.Archived || !ch.ThreadMetadata.Locked || ch.AppliedTags[0] != closed || ch.Name != "Erin (closed)" {
		t.Fatalf("edit thread = %+v, %v", ch, err)
	}
	_, err = dg.ChannelMessageSend(post.ID, "x")
	wantCode(t, err, 50083, "", "")
	content := "x"
	_, err = dg.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: post.ID, Channel: post.ID, Content: &content})
	wantCode(t, err, 50083, "", "")
	archived, locked = false, false
	if _, err := dg.ChannelEditComplex(post.ID, &discordgo.ChannelEdit{Archived: &archived, Locked: &locked}); err != nil {
		t.Fatal(err)
	}

	// A webhook opens a forum post with thread_name and applied_tags,
	// which discordgo's WebhookParams lack: a raw request.
	wh, err := dg.WebhookCreate(d.Forum.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = dg.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: "x"})
	wantCode(t, err, 220001, "", "")
	uri := discordgo.EndpointWebhookToken(wh.ID, wh.Token) + "?wait=true"
	body := map[string]any{"content": "hello", "username": "Alice", "thread_name": "Via webhook", "applied_tags": []string{open}, "allowed_mentions": map[string]any{"parse": []string{}}}
	raw, err := dg.RequestWithBucketID("POST", uri, body, discordgo.EndpointWebhookToken(wh.ID, ""))
	if err != nil {
		t.Fatal(err)
	}
	threads := s.Threads(d.Forum.ID)
	if len(threads) != 2 || threads[1].Name != "Via webhook" || threads[1].AppliedTags[0] != open || !bytes.Contains(raw, []byte(`"webhook_id"`)) {
		t.Fatalf("webhook forum post = %+v %s", threads, raw)
	}
	if got := s.BotMessages(threads[1].ID); len(got) != 1 || got[0].ID != threads[1].ID || got[0].Username != "Alice" {
		t.Errorf("webhook post message = %+v", got)
	}

	// A thread under a member's message shares the message's id.
	m, err := s.Send(d.Support.ID, d.Customer, "question")
	if err != nil {
		t.Fatal(err)
	}
	th, err := dg.MessageThreadStartComplex(d.Support.ID, m.ID, &discordgo.ThreadStart{Name: "Reply", AutoArchiveDuration: 1440})
	if err != nil || th.ID != m.ID || th.ParentID != d.Support.ID {
		t.Fatalf("thread from message = %+v, %v", th, err)
	}
	_, err = dg.MessageThreadStartComplex(d.Support.ID, m.ID, &discordgo.ThreadStart{Name: "Again"})
	wantCode(t, err, 160004, "", "")
	// A user's message in an archived (not locked) thread unarchives it.
	if err := s.SetThread(th.ID, true, false); err != nil {
		t.Fatal(err)
	}
	if _, err := dg.ChannelMessageSend(th.ID, "back"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Channel(th.ID); c.Archived {
		t.Error("sending did not unarchive the thread")
	}
}

func TestMentions(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	role := s.AddRole(d.Community.ID, "mods")
	wh, err := dg.WebhookCreate(d.Support.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	text := "@everyone <@" + d.Alice.ID + "> <@&" + role.ID + ">"
	for _, tc := range []struct {
		name    string
		webhook bool
		allowed *discordgo.MessageAllowedMentions
		want    []string
	}{
		{"bot default parses all", false, nil, []string{"@everyone", "<@" + d.Alice.ID + ">", "<@&" + role.ID + ">"}},
		{"bot empty parse", false, none, nil},
		{"webhook default parses users", true, nil, []string{"<@" + d.Alice.ID + ">"}},
		{"webhook empty parse", true, none, nil},
		{"explicit user", false, &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: []string{d.Alice.ID}}, []string{"<@" + d.Alice.ID + ">"}},
		{"roles only", false, &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeRoles}}, []string{"<@&" + role.ID + ">"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m *discordgo.Message
			var err error
			if tc.webhook {
				m, err = dg.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: text, AllowedMentions: tc.allowed})
			} else {
				m, err = dg.ChannelMessageSendComplex(d.Support.ID, &discordgo.MessageSend{Content: text, AllowedMentions: tc.allowed})
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := s.Message(d.Support.ID, m.ID)
			if !slices.Equal(got.Pings, tc.want) {
				t.Errorf("pings = %v, want %v", got.Pings, tc.want)
			}
			if m.MentionEveryone != slices.Contains(tc.want, "@everyone") {
				t.Errorf("mention_everyone = %v", m.MentionEveryone)
			}
			if err := dg.ChannelMessageDelete(d.Support.ID, m.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
	if p := s.Pings(); len(p) != 0 {
		t.Errorf("deleted messages still count: %v", p)
	}
	// An edit without allowed_mentions is parsed with the defaults again.
	m, err := dg.ChannelMessageSendComplex(d.Support.ID, &discordgo.MessageSend{Content: "quiet", AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	loud := "now @here"
	if _, err := dg.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: m.ID, Channel: d.Support.ID, Content: &loud}); err != nil {
		t.Fatal(err)
	}
	if p := s.Pings(); !slices.Equal(p, []string{"@here"}) {
		t.Errorf("edit pings = %v, want @here", p)
	}
	// The zero value MessageAllowedMentions sends "parse":null: no pings.
	if _, err := dg.ChannelMessageSendComplex(d.Support.ID, &discordgo.MessageSend{Content: "@everyone", AllowedMentions: &discordgo.MessageAllowedMentions{}}); err != nil {
		t.Fatal(err)
	}
	if p := s.PingLog(); len(p) != 7 {
		t.Errorf("ping log = %v", p)
	}
}

func TestReactionsGuildsCommands(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	m, err := s.Send(d.Support.ID, d.Customer, "thanks")
	if err != nil {
		t.Fatal(err)
	}
	if err := dg.MessageReactionAdd(d.Support.ID, m.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if err := s.React(d.Support.ID, m.ID, d.Alice, "👍"); err != nil {
		t.Fatal(err)
	}
	users, err := dg.MessageReactions(d.Support.ID, m.ID, "👍", 10, "", "")
	if err != nil || len(users) != 2 {
		t.Fatalf("reactions = %v, %v", users, err)
	}
	if err := dg.MessageReactionRemove(d.Support.ID, m.ID, "👍", "@me"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Message(d.Support.ID, m.ID); len(got.Reactions) != 0 || len(got.ReactedBy["👍"]) != 1 {
		t.Errorf("after remove = %+v", got)
	}
	chans, err := dg.GuildChannels(d.Staff.ID)
	if err != nil || len(chans) != 2 {
		t.Fatalf("guild channels = %v, %v", chans, err)
	}
	mem, err := dg.GuildMember(d.Staff.ID, d.Alice.ID)
	if err != nil || mem.User.Username != "alice" || mem.User.Avatar == "" {
		t.Fatalf("member = %+v, %v", mem, err)
	}
	_, err = dg.GuildMember(d.Staff.ID, d.Customer.ID)
	wantCode(t, err, 10007, "", "")
	if all, err := dg.GuildMembers(d.Staff.ID, "", 100); err != nil || len(all) != 3 {
		t.Errorf("members = %d, %v", len(all), err)
	}
	cmds, err := dg.ApplicationCommandBulkOverwrite(s.ApplicationID(), "", []*discordgo.ApplicationCommand{{Name: "cornershop", Description: "staff"}})
	if err != nil || len(cmds) != 1 || cmds[0].ID == "" {
		t.Fatalf("bulk overwrite = %v, %v", cmds, err)
	}
	if _, err := dg.ApplicationCommandBulkOverwrite(s.ApplicationID(), d.Staff.ID, []*discordgo.ApplicationCommand{{Name: "close", Description: "close"}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands(); !slices.Equal(got, []string{"cornershop", "close"}) {
		t.Errorf("commands = %v", got)
	}
}

func TestFaultsAndRateLimits(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	s.RateLimitNext("/messages", 1, 0.5)
	_, err := dg.ChannelMessageSend(d.Support.ID, "x")
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter.Milliseconds() != 500 {
		t.Fatalf("429 = %v", err)
	}
	if s.Violations() != 0 {
		t.Fatal("a violation before any retry window")
	}
	// discordgo itself waits out the window; a raw call inside it is a
	// violation.
	req, _ := http.NewRequest("POST", "https://discord.com/api/v9/channels/"+d.Support.ID+"/messages", strings.NewReader(`{"content":"too soon"}`))
	req.Header.Set("Authorization", "Bot "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || s.Violations() != 1 {
		t.Errorf("call inside the window = %d, violations %d", resp.StatusCode, s.Violations())
	}
	if _, err := dg.ChannelMessageSend(d.Support.ID, "after the window"); err != nil || s.Violations() != 1 {
		t.Errorf("discordgo after the window: %v, violations %d", err, s.Violations())
	}
	s.FailNext("POST /channels", 1, http.StatusInternalServerError)
	_, err = dg.ChannelMessageSend(d.Desk.ID, "x")
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != 500 {
		t.Errorf("5xx = %v", err)
	}
	s.FailNext("", 1, http.StatusBadGateway) // discordgo retries 502 itself
	if _, err := dg.ChannelMessageSend(d.Desk.ID, "after 502"); err != nil {
		t.Errorf("after 502: %v", err)
	}
	s.GlobalRateLimitNext("", 0.2)
	_, err = dg.ChannelMessageSend(d.Desk.ID, "x")
	if !errors.As(err, &rl) {
		t.Errorf("global 429 = %v", err)
	}
}

func TestEnforcedBucketsAreHonoured(t *testing.T) {
	s, dg := start(t, discordfake.Options{RateLimits: true})
	d := s.SeedDemoWorld()
	wh, err := dg.WebhookCreate(d.Support.ID, "cornershop", "")
	if err != nil {
		t.Fatal(err)
	}
	// 7 executes against a 5 per 2 s bucket: discordgo reads the headers
	// and waits, so nothing is refused.
	for i := range 7 {
		if _, err := dg.WebhookExecute(wh.ID, wh.Token, true, &discordgo.WebhookParams{Content: "m", AllowedMentions: none}); err != nil {
			t.Fatalf("execute %d: %v", i, err)
		}
	}
	if s.RateLimited() != 0 || s.Violations() != 0 {
		t.Errorf("limited %d, violations %d", s.RateLimited(), s.Violations())
	}
	// A client that ignores the headers is refused with the bucket's 429.
	c := s.HTTPClient()
	var last *http.Response
	for range 6 {
		req, _ := http.NewRequest("POST", "https://discord.com/api/v10/channels/"+d.Desk.ID+"/messages", strings.NewReader(`{"content":"x"}`))
		req.Header.Set("Authorization", "Bot "+s.Token())
		req.Header.Set("Content-Type", "application/json")
		if last, err = c.Do(req); err != nil {
			t.Fatal(err)
		}
		last.Body.Close()
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("X-RateLimit-Scope") != "user" || last.Header.Get("Retry-After") == "" || s.RateLimited() != 1 {
		t.Errorf("6th call = %d %v", last.StatusCode, last.Header)
	}
}

func TestObserveAndSwitchingLimits(t *testing.T) {
	var mu sync.Mutex
	var seen []discordfake.Call
	s, dg := start(t, discordfake.Options{Observe: func(c discordfake.Call) { mu.Lock(); seen = append(seen, c); mu.Unlock() }})
	d := s.SeedDemoWorld()
	post := func() int {
		req, _ := http.NewRequest("POST", "https://discord.com/api/v10/channels/"+d.Desk.ID+"/messages", strings.NewReader(`{"content":"x"}`))
		req.Header.Set("Authorization", "Bot "+s.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if _, err := dg.ChannelMessageSend(d.Desk.ID, "through discordgo"); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if st := post(); st != http.StatusOK {
			t.Fatalf("limits off, post %d: %d", i, st)
		}
	}
	s.SetRateLimits(true)
	for range 5 {
		post()
	}
	if st := post(); st != http.StatusTooManyRequests {
		t.Errorf("limits on, 6th post in the bucket: %d", st)
	}
	mu.Lock()
	defer mu.Unlock()
	last := seen[len(seen)-1]
	if len(seen) != 13 || seen[0].Method != "POST" || seen[0].Path != "/channels/"+d.Desk.ID+"/messages" || seen[0].Status != 200 || last.Status != 429 || last.At.IsZero() {
		t.Errorf("observed %d calls, first %+v, last %+v", len(seen), seen[0], last)
	}
}

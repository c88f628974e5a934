package slackfake_test

import (
	"testing"

	"github.com/slack-go/slack"

	"cornershop/bots/slack/slackfake"
)

func TestBroadcastsRecorded(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	desk, _, _, _, _ := s.SeedDemo()
	section := func(kind, text string) slack.MsgOption {
		return slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(kind, text, false, false), nil, nil))
	}
	for _, tc := range []struct {
		name string
		opts []slack.MsgOption
		want bool
	}{
		{"escaped text", []slack.MsgOption{slack.MsgOptionText("&lt;!channel&gt; hi", false)}, false},
		{"text mention", []slack.MsgOption{slack.MsgOptionText("<!here> hi", false)}, true},
		{"labelled mention", []slack.MsgOption{slack.MsgOptionText("<!everyone|everyone> hi", false)}, true},
		{"mrkdwn block", []slack.MsgOption{slack.MsgOptionText("card", false), section(slack.MarkdownType, "*<!channel>*")}, true},
		{"escaped block", []slack.MsgOption{slack.MsgOptionText("card", false), section(slack.MarkdownType, "&lt;!channel&gt;")}, false},
		{"plain_text block", []slack.MsgOption{slack.MsgOptionText("card", false), section(slack.PlainTextType, "<!channel>")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Broadcasts())
			if _, _, err := api.PostMessage(desk.ID, tc.opts...); err != nil {
				t.Fatal(err)
			}
			if got := len(s.Broadcasts()) > before; got != tc.want {
				t.Errorf("broadcast recorded = %v, want %v", got, tc.want)
			}
		})
	}
	_, ts, err := api.PostMessage(desk.ID, slack.MsgOptionText("quiet", false))
	if err != nil {
		t.Fatal(err)
	}
	before := len(s.Broadcasts())
	if _, _, _, err := api.UpdateMessage(desk.ID, ts, slack.MsgOptionText("loud <!channel>", false)); err != nil {
		t.Fatal(err)
	}
	if len(s.Broadcasts()) != before+1 {
		t.Error("an edit that adds @channel was not recorded")
	}
}

func TestConversationsOpen(t *testing.T) {
	s, api := start(t, slackfake.Options{})
	_, alice, _, dana, _ := s.SeedDemo()
	stranger := s.AddUser("mallory", "Mallory", "", true) // another team, no channel shared
	ch, noOp, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{alice.ID}, ReturnIM: true})
	if err != nil || ch.ID == "" || ch.ID[0] != 'D' || !ch.IsIM || ch.User != alice.ID || noOp {
		t.Fatalf("open = %+v no_op=%v, %v", ch, noOp, err)
	}
	again, noOp, open, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{alice.ID}})
	if err != nil || again.ID != ch.ID || !noOp || !open {
		t.Errorf("reopen = %+v no_op=%v already_open=%v, %v", again, noOp, open, err)
	}
	if got := s.DM(alice); got.ID != ch.ID {
		t.Errorf("DM(alice) = %s, want %s", got.ID, ch.ID)
	}
	if _, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{dana.ID}}); err != nil {
		t.Errorf("external user sharing a channel: %v", err)
	}
	for _, tc := range []struct {
		name string
		p    slack.OpenConversationParameters
		want string
	}{
		{"unknown user", slack.OpenConversationParameters{Users: []string{"UNOPE"}}, "user_not_found"},
		{"external stranger", slack.OpenConversationParameters{Users: []string{stranger.ID}}, "invalid_user_combination"},
		{"the bot", slack.OpenConversationParameters{Users: []string{s.BotUserID()}}, "cannot_dm_bot"},
		{"nobody", slack.OpenConversationParameters{}, "users_list_not_supplied"},
		{"not a DM", slack.OpenConversationParameters{ChannelID: "CNOPE"}, "channel_not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, _, err := api.OpenConversation(&tc.p); err == nil || err.Error() != tc.want {
				t.Errorf("error = %v, want %s", err, tc.want)
			}
		})
	}
	t.Run("without im:write", func(t *testing.T) {
		s, api := start(t, slackfake.Options{Scopes: []string{"chat:write"}})
		u := s.AddUser("zed", "Zed", "", false)
		if _, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{u.ID}}); err == nil || err.Error() != "missing_scope" {
			t.Errorf("error = %v, want missing_scope", err)
		}
	})
}

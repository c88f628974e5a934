package telegramfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/telegram/telegramfake"
)

func TestGetMeAndBadToken(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	if bot.Self.UserName != "cornershop_bot" || !bot.Self.IsBot || bot.Self.ID != 123456 || bot.Self.CanReadAllGroupMessages {
		t.Errorf("getMe = %+v", bot.Self)
	}
	_, err := tgbotapi.NewBotAPIWithAPIEndpoint("999:WRONG", s.APIEndpoint())
	wantAPIError(t, err, 401, "Unauthorized")
	_, err = bot.MakeRequest("noSuchMethod", tgbotapi.Params{})
	wantAPIError(t, err, 404, "Not Found")
}

func TestRequestEncodings(t *testing.T) {
	s, _ := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "carla")
	base := s.URL() + "/bot" + s.Token() + "/"
	tests := []struct {
		name string
		do   func() (*http.Response, error)
	}{
		{"json body, numeric chat_id", func() (*http.Response, error) {
			return http.Post(base+"sendMessage", "application/json", strings.NewReader(`{"chat_id":`+id(u.ID)+`,"text":"json"}`))
		}},
		{"GET with query", func() (*http.Response, error) {
			return http.Get(base + "sendMessage?chat_id=" + id(u.ID) + "&text=query")
		}},
		{"case-insensitive method", func() (*http.Response, error) {
			return http.PostForm(base+"SENDMESSAGE", url.Values{"chat_id": {id(u.ID)}, "text": {"form"}})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.do()
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				OK     bool             `json:"ok"`
				Result tgbotapi.Message `json:"result"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !body.OK || body.Result.Chat.ID != u.ID {
				t.Errorf("answer = %d %+v %v", resp.StatusCode, body, err)
			}
		})
	}
}

func TestSendMessageHTML(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "carla")
	tests := []struct {
		name, text, want, err string
		entity                string // first entity type expected
	}{
		{"signature", "<b>Alice</b> · <i>Support</i>\nHi &lt;3 &amp; more", "Alice · Support\nHi <3 & more", "", "bold"},
		{"literal ampersand", "fish &chips; & co", "fish &chips; & co", "", ""},
		{"trimmed", "\n  hello  \n", "hello", "", ""},
		{"unbalanced", "<b>oops", "", `can't parse entities: Can't find end tag corresponding to start tag "b"`, ""},
		{"unsupported tag", "<script>x</script>", "", `can't parse entities: Unsupported start tag "script" at byte offset 0`, ""},
		{"unescaped less-than", "1 < 2", "", `Unsupported start tag "" at byte offset 2`, ""},
		{"empty", "   ", "", "message text is empty", ""},
		{"only tags", "<b></b>", "", "message text is empty", ""},
		{"too long", strings.Repeat("a", 4097), "", "message is too long", ""},
		{"4096 after parsing", "<b>" + strings.Repeat("a", 4096) + "</b>", strings.Repeat("a", 4096), "", "bold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(u.ID, tc.text)
			msg.ParseMode = tgbotapi.ModeHTML
			got, err := bot.Send(msg)
			if tc.err != "" {
				wantAPIError(t, err, 400, tc.err)
				return
			}
			if err != nil || got.Text != tc.want {
				t.Fatalf("Send = %q, %v; want %q", got.Text, err, tc.want)
			}
			if tc.entity != "" && (len(got.Entities) == 0 || got.Entities[0].Type != tc.entity) {
				t.Errorf("entities = %+v, want %s first", got.Entities, tc.entity)
			}
		})
	}
	bm := s.BotMessages(u.ID, 0)
	if first := bm[0]; first.HTML == first.Text || first.ParseMode != "HTML" || len(first.Entities) != 2 {
		t.Errorf("recorded message = %+v", first)
	}
	_, err := bot.Send(tgbotapi.NewMessage(424242, "hi"))
	wantAPIError(t, err, 400, "Bad Request: chat not found")
	s.Block(u)
	_, err = bot.Send(tgbotapi.NewMessage(u.ID, "hi"))
	wantAPIError(t, err, 403, "Forbidden: bot was blocked by the user")
	s.Unblock(u)
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID, "hi again")); err != nil {
		t.Errorf("after Unblock: %v", err)
	}
}

func TestRepliesAndKeyboards(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "carla")
	in, _ := s.SendText(u.ID, 0, u, "question")
	var sent tgbotapi.Message
	err := raw(t, bot, "sendMessage", tgbotapi.Params{"chat_id": id(u.ID), "text": "answer", "reply_parameters": `{"message_id":` + strconv.Itoa(in.ID) + `}`}, &sent)
	if err != nil || sent.ReplyToMessage == nil || sent.ReplyToMessage.Text != "question" {
		t.Fatalf("reply = %+v, %v", sent.ReplyToMessage, err)
	}
	reply := tgbotapi.NewMessage(u.ID, "x")
	reply.ReplyToMessageID = 999
	_, err = bot.Send(reply)
	wantAPIError(t, err, 400, "message to be replied not found")
	tests := []struct {
		name   string
		markup any
		err    string
	}{
		{"callback button", tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("ok", "vote:1"))), ""},
		{"url button", tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("web", "https://example.com"))), ""},
		{"callback data over 64 bytes", tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("x", strings.Repeat("d", 65)))), "BUTTON_DATA_INVALID"},
		{"text-only button", map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "plain"}}}}, "Text buttons are unallowed in the inline keyboard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(u.ID, "pick")
			msg.ReplyMarkup = tc.markup
			got, err := bot.Send(msg)
			if tc.err != "" {
				wantAPIError(t, err, 400, tc.err)
				return
			}
			if err != nil || got.ReplyMarkup == nil || len(got.ReplyMarkup.InlineKeyboard) != 1 {
				t.Errorf("Send = %+v, %v", got.ReplyMarkup, err)
			}
		})
	}
}

func TestEditDeleteAnd48HourRule(t *testing.T) {
	clk := newClock()
	s, bot := start(t, telegramfake.Options{Now: clk.Now})
	u := s.AddUser("Carla", "", "")
	sent, err := bot.Send(tgbotapi.NewMessage(u.ID, "typo"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	edit := tgbotapi.NewEditMessageText(u.ID, sent.MessageID, "<b>fixed</b>")
	edit.ParseMode = tgbotapi.ModeHTML
	got, err := bot.Send(edit)
	if err != nil || got.Text != "fixed" || got.EditDate != int(clk.Now().Unix()) {
		t.Fatalf("edit = %q edit_date=%d, %v", got.Text, got.EditDate, err)
	}
	_, err = bot.Send(edit)
	wantAPIError(t, err, 400, "message is not modified")
	_, err = bot.Send(tgbotapi.NewEditMessageText(u.ID, 999, "x"))
	wantAPIError(t, err, 400, "message to edit not found")
	in, _ := s.SendText(u.ID, 0, u, "customer text")
	_, err = bot.Send(tgbotapi.NewEditMessageText(u.ID, in.ID, "x"))
	wantAPIError(t, err, 400, "message can't be edited")
	kb := tgbotapi.NewEditMessageReplyMarkup(u.ID, sent.MessageID, tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("a", "b"))))
	if _, err := bot.Send(kb); err != nil {
		t.Errorf("editMessageReplyMarkup: %v", err)
	}

	clk.Advance(49 * time.Hour)
	_, err = bot.Request(tgbotapi.NewDeleteMessage(u.ID, sent.MessageID))
	wantAPIError(t, err, 400, "message can't be deleted")
	fresh, _ := bot.Send(tgbotapi.NewMessage(u.ID, "new"))
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(u.ID, fresh.MessageID)); err != nil {
		t.Errorf("delete own fresh message: %v", err)
	}
	_, err = bot.Request(tgbotapi.NewDeleteMessage(u.ID, fresh.MessageID))
	wantAPIError(t, err, 400, "message to delete not found")
	in2, _ := s.SendText(u.ID, 0, u, "delete me")
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(u.ID, in2.ID)); err != nil {
		t.Errorf("bots may delete incoming messages in private chats: %v", err)
	}
	group := s.AddGroup("Fans", false, false, u)
	gm, _ := s.SendText(group.ID, 0, u, "/start")
	_, err = bot.Request(tgbotapi.NewDeleteMessage(group.ID, gm.ID))
	wantAPIError(t, err, 400, "message can't be deleted")

	var kinds []telegramfake.ActionKind
	for _, a := range s.Actions(u.ID, 0) {
		kinds = append(kinds, a.Kind)
	}
	want := []telegramfake.ActionKind{"send", "edit", "edit_markup", "send", "delete", "delete"}
	if strings.Join(toStrings(kinds), ",") != strings.Join(toStrings(want), ",") {
		t.Errorf("actions = %v, want %v", kinds, want)
	}
	if got := s.BotMessages(u.ID, 0); got[0].Text != "fixed" || !got[0].Edited || !got[1].Deleted {
		t.Errorf("messages = %+v", got)
	}
}

func toStrings(ks []telegramfake.ActionKind) []string {
	var out []string
	for _, k := range ks {
		out = append(out, string(k))
	}
	return out
}

func TestFilesBothWays(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	u := s.AddUser("Carla", "", "")
	photo := []byte("\x89PNG\r\n\x1a\nfake image")
	if _, err := s.SendPhoto(u.ID, 0, u, photo, "my receipt"); err != nil {
		t.Fatal(err)
	}
	voice := []byte("OggS voice")
	if _, err := s.SendVoice(u.ID, 0, u, voice); err != nil {
		t.Fatal(err)
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 2 || len(ups[0].Message.Photo) != 2 || ups[0].Message.Caption != "my receipt" || ups[1].Message.Voice == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	// Downloads through tgbotapi's own file link, redirected by the client.
	to, _ := url.Parse(s.URL())
	client := &http.Client{Transport: rewrite{to}}
	download := func(fileID string) []byte {
		t.Helper()
		link, err := bot.GetFileDirectURL(fileID)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	sizes := ups[0].Message.Photo
	if got := download(sizes[len(sizes)-1].FileID); !bytes.Equal(got, photo) {
		t.Errorf("largest photo size = %q", got)
	}
	if got := download(sizes[0].FileID); bytes.Equal(got, photo) {
		t.Error("the thumbnail is the original: clients taking Photo[0] would not be caught")
	}
	if got := download(ups[1].Message.Voice.FileID); !bytes.Equal(got, voice) {
		t.Errorf("voice = %q", got)
	}
	_, err = bot.GetFile(tgbotapi.FileConfig{FileID: "nope"})
	wantAPIError(t, err, 400, "invalid file_id")

	doc := tgbotapi.NewDocument(u.ID, tgbotapi.FileBytes{Name: "invoice.pdf", Bytes: []byte("%PDF-1.4 invoice")})
	doc.Caption = "your <b>invoice</b>"
	doc.ParseMode = tgbotapi.ModeHTML
	sent, err := bot.Send(doc)
	if err != nil || sent.Document == nil || sent.Document.FileName != "invoice.pdf" || sent.Caption != "your invoice" || len(sent.CaptionEntities) != 1 {
		t.Fatalf("sendDocument = %+v %q, %v", sent.Document, sent.Caption, err)
	}
	if data, ok := s.FileData(sent.Document.FileID); !ok || string(data) != "%PDF-1.4 invoice" {
		t.Errorf("uploaded bytes = %q", data)
	}
	again, err := bot.Send(tgbotapi.NewPhoto(u.ID, tgbotapi.FileID(sizes[1].FileID)))
	if err != nil || len(again.Photo) == 0 {
		t.Errorf("sendPhoto by file_id = %+v, %v", again.Photo, err)
	}
	_, err = bot.Send(tgbotapi.NewPhoto(u.ID, tgbotapi.FileID("unknown")))
	wantAPIError(t, err, 400, "wrong file identifier/HTTP URL specified")
	long := tgbotapi.NewPhoto(u.ID, tgbotapi.FileBytes{Name: "a.png", Bytes: photo})
	long.Caption = strings.Repeat("c", 1025)
	_, err = bot.Send(long)
	wantAPIError(t, err, 0, "message caption is too long") // tgbotapi drops the code on uploads
	_, err = bot.UploadFiles("sendVoice", tgbotapi.Params{"chat_id": id(u.ID)}, []tgbotapi.RequestFile{{Name: "voice", Data: tgbotapi.FileBytes{Name: "v.ogg", Bytes: voice}}})
	if err != nil {
		t.Errorf("sendVoice upload: %v", err)
	}
}

func TestChatInfoAndCommands(t *testing.T) {
	s, bot := start(t, telegramfake.Options{})
	staff := s.AddUser("Alice", "Martin", "alice")
	stranger := s.AddUser("Mallory", "", "")
	desk := s.AddForumSupergroup("Desk", staff)
	if err := s.SetMemberStatus(desk.ID, staff.ID, telegramfake.StatusCreator); err != nil {
		t.Fatal(err)
	}
	chat, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: desk.ID}})
	if err != nil || chat.Type != "supergroup" || chat.Title != "Desk" {
		t.Errorf("getChat = %+v, %v", chat, err)
	}
	tests := []struct {
		user int64
		want string
	}{{staff.ID, "creator"}, {stranger.ID, "left"}, {bot.Self.ID, "administrator"}}
	for _, tc := range tests {
		m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: desk.ID, UserID: tc.user}})
		if err != nil || m.Status != tc.want {
			t.Errorf("getChatMember(%d) = %q, %v; want %q", tc.user, m.Status, err, tc.want)
		}
	}
	admins, err := bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: desk.ID}})
	if err != nil || len(admins) != 2 || !admins[1].CanDeleteMessages {
		t.Errorf("getChatAdministrators = %+v, %v", admins, err)
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "help", Description: "What I can do"})); err != nil {
		t.Fatal(err)
	}
	if got := s.Commands(); len(got) != 1 || got[0].Command != "help" {
		t.Errorf("commands = %+v", got)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bad Command", Description: "x"}))
	wantAPIError(t, err, 400, "BOT_COMMAND_INVALID")
}

package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/core"
)

// allowedUpdates are the update kinds the bot asks for; message_reaction
// must be named explicitly or Telegram never sends it.
const allowedUpdates = `["message","edited_message","callback_query","message_reaction"]`

// message is tgbotapi.Message with the fields v5.5.1 drops.
type message struct {
	tgbotapi.Message
	MessageThreadID int  `json:"message_thread_id"`
	IsTopicMessage  bool `json:"is_topic_message"`
}

type callback struct {
	ID      string        `json:"id"`
	From    tgbotapi.User `json:"from"`
	Message *message      `json:"message"`
	Data    string        `json:"data"`
}

type reaction struct {
	Chat      tgbotapi.Chat  `json:"chat"`
	MessageID int            `json:"message_id"`
	User      *tgbotapi.User `json:"user"`
	Date      int64          `json:"date"`
	New       []struct {
		Type  string `json:"type"`
		Emoji string `json:"emoji"`
	} `json:"new_reaction"`
}

type update struct {
	UpdateID        int       `json:"update_id"`
	Message         *message  `json:"message"`
	EditedMessage   *message  `json:"edited_message"`
	CallbackQuery   *callback `json:"callback_query"`
	MessageReaction *reaction `json:"message_reaction"`
}

// Run implements core.Platform: long polling, or registering the webhook
// that Handler serves, until ctx ends.
func (b *Bot) Run(ctx context.Context, in core.Inbox) error {
	b.in.Store(&inbox{in})
	defer b.ready.Store(false)
	for {
		if _, err := b.me(ctx); err == nil {
			break
		} else if class, _ := core.Classify(err); class == core.ClassPermanent {
			return fmt.Errorf("telegram: %w", err)
		}
		if err := sleep(ctx, 2*time.Second); err != nil {
			return err
		}
	}
	if b.o.Mode == "webhook" {
		return b.runWebhook(ctx)
	}
	// getUpdates fails while a webhook is set: make sure none is.
	if _, err := b.call(ctx, "deleteWebhook", tgbotapi.Params{}); err != nil {
		b.o.Logger.Warn("telegram deleteWebhook failed", "err", err)
	}
	return b.poll(ctx, in)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// poll long-polls getUpdates. The offset moves past an update only after
// the Inbox recorded it, so a crash between receiving and recording loses
// nothing: Telegram sends the update again.
func (b *Bot) poll(ctx context.Context, in core.Inbox) error {
	offset := 0
	backoff := time.Second
	for {
		p := tgbotapi.Params{"timeout": strconv.Itoa(int(b.o.PollTimeout / time.Second)), "allowed_updates": allowedUpdates, "limit": "100"}
		if offset > 0 {
			p["offset"] = strconv.Itoa(offset)
		}
		resp, err := b.call(ctx, "getUpdates", p)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			b.ready.Store(false)
			b.o.Logger.Warn("telegram getUpdates failed", "err", err, "retry_in", backoff)
			if class, after := core.Classify(err); class == core.ClassRetryAfter {
				backoff = after
			}
			if err := sleep(ctx, backoff); err != nil {
				return err
			}
			backoff = min(backoff*2, time.Minute)
			continue
		}
		b.ready.Store(true)
		backoff = time.Second
		var ups []json.RawMessage
		if err := json.Unmarshal(resp.Result, &ups); err != nil {
			b.o.Logger.Warn("telegram getUpdates: undecodable result", "err", err)
			continue
		}
		if len(ups) == 0 {
			continue
		}
		next, err := b.handleBatch(ctx, in, ups)
		if next > 0 {
			offset = next
		}
		if err != nil {
			// Not recorded: poll again from this update on.
			b.o.Logger.Warn("telegram update not recorded, will retry", "update", next, "err", err)
			_ = sleep(ctx, time.Second)
		}
	}
}

// updateKey is what handleBatch needs of an update before handling it.
type updateKey struct {
	UpdateID int `json:"update_id"`
	Message  *struct {
		Chat struct{ ID int64 } `json:"chat"`
	} `json:"message"`
	EditedMessage *struct {
		Chat struct{ ID int64 } `json:"chat"`
	} `json:"edited_message"`
	CallbackQuery *struct {
		Message *struct {
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	} `json:"callback_query"`
	MessageReaction *struct {
		Chat struct{ ID int64 } `json:"chat"`
	} `json:"message_reaction"`
}

func (k updateKey) chat() int64 {
	switch {
	case k.Message != nil:
		return k.Message.Chat.ID
	case k.EditedMessage != nil:
		return k.EditedMessage.Chat.ID
	case k.CallbackQuery != nil && k.CallbackQuery.Message != nil:
		return k.CallbackQuery.Message.Chat.ID
	case k.MessageReaction != nil:
		return k.MessageReaction.Chat.ID
	}
	return 0
}

var errNotTried = errors.New("an earlier update of the chat was not recorded")

// handleBatch hands one poll's updates to the inbox: each chat's in order,
// different chats concurrently, so that their writes share transactions
// (the relay's group commit) instead of taking one commit each. It returns
// the offset to poll from next — past the last update when all were
// recorded, else the first update not recorded (those after it that were
// recorded come again and are recognised as repeats) — and that update's
// error.
func (b *Bot) handleBatch(ctx context.Context, in core.Inbox, ups []json.RawMessage) (int, error) {
	keys := make([]updateKey, len(ups))
	byChat := map[int64][]int{}
	var chats []int64
	for i, raw := range ups {
		_ = json.Unmarshal(raw, &keys[i])
		c := keys[i].chat()
		if _, ok := byChat[c]; !ok {
			chats = append(chats, c)
		}
		byChat[c] = append(byChat[c], i)
	}
	errs := make([]error, len(ups))
	ids := make([]int, len(ups))
	var wg sync.WaitGroup
	for _, c := range chats {
		wg.Go(func() {
			var failed error
			for _, i := range byChat[c] {
				if failed != nil {
					ids[i], errs[i] = keys[i].UpdateID, errNotTried
					continue
				}
				ids[i], errs[i] = b.handleRaw(ctx, in, ups[i])
				failed = errs[i]
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return ids[i], err
		}
	}
	return ids[len(ids)-1] + 1, nil
}

// handleRaw decodes and hands one update to the inbox. It returns the
// update id and an error only when the update must be received again.
func (b *Bot) handleRaw(ctx context.Context, in core.Inbox, raw json.RawMessage) (int, error) {
	var u update
	if err := json.Unmarshal(raw, &u); err != nil {
		var id struct {
			UpdateID int `json:"update_id"`
		}
		_ = json.Unmarshal(raw, &id)
		b.o.Logger.Warn("telegram update undecodable, skipped", "update", id.UpdateID, "err", err)
		return id.UpdateID, nil
	}
	err := b.handle(ctx, in, u)
	if errors.Is(err, core.ErrInvalid) {
		b.o.Logger.Warn("telegram update refused", "update", u.UpdateID, "err", err)
		return u.UpdateID, nil
	}
	return u.UpdateID, err
}

func (b *Bot) runWebhook(ctx context.Context) error {
	for {
		_, err := b.call(ctx, "setWebhook", tgbotapi.Params{"url": b.o.WebhookURL, "secret_token": b.o.WebhookSecret,
			"max_connections": strconv.Itoa(b.o.WebhookMaxConnections), "allowed_updates": allowedUpdates})
		if err == nil {
			break
		}
		b.o.Logger.Warn("telegram setWebhook failed", "err", err)
		if class, _ := core.Classify(err); class == core.ClassPermanent {
			return fmt.Errorf("telegram: setWebhook: %w", err)
		}
		if err := sleep(ctx, 5*time.Second); err != nil {
			return err
		}
	}
	b.ready.Store(true)
	<-ctx.Done()
	return ctx.Err()
}

// maxUpdate bounds what the webhook reads: an update is a few kilobytes
// (a message is at most 4,096 characters).
const maxUpdate = 1 << 20

// Handler serves Telegram's webhook pushes at /webhook. A push without the
// right X-Telegram-Bot-Api-Secret-Token gets 401, a body over 1 MiB 413
// and one that is not JSON 400, and none records anything; each is logged
// with the reason, never the payload. JSON that does not decode as an
// update is acknowledged and skipped (Telegram would resend it forever).
// 200 is answered only once the update is recorded, else 500 so Telegram
// sends it again.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
		refuse := func(status int, reason string) {
			b.o.Logger.Warn("telegram webhook request refused", "status", status, "reason", reason, "remote", r.RemoteAddr)
			http.Error(w, reason, status)
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if b.o.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(b.o.WebhookSecret)) != 1 {
			refuse(http.StatusUnauthorized, "missing or wrong secret token")
			return
		}
		in := b.in.Load()
		if in == nil {
			refuse(http.StatusServiceUnavailable, "not running")
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdate))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			refuse(http.StatusRequestEntityTooLarge, "body over 1 MiB")
			return
		case err != nil:
			refuse(http.StatusBadRequest, "unreadable body")
			return
		case !json.Valid(raw):
			refuse(http.StatusBadRequest, "body is not JSON")
			return
		}
		if _, err := b.handleRaw(r.Context(), in.Inbox, raw); err != nil {
			http.Error(w, "not recorded", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	return mux
}

// handle turns one update into core events.
func (b *Bot) handle(ctx context.Context, in core.Inbox, u update) error {
	switch {
	case u.Message != nil:
		return b.onMessage(ctx, in, u.Message)
	case u.EditedMessage != nil:
		m := u.EditedMessage
		place, ok := b.placeOf(m)
		if !ok || m.From == nil {
			return nil
		}
		return in.Handle(ctx, core.EditEvent{Place: place, ID: strconv.Itoa(m.MessageID), Sender: sender(m.From), Text: textOf(&m.Message), At: time.Unix(int64(m.EditDate), 0)})
	case u.CallbackQuery != nil:
		return b.onCallback(ctx, in, u.CallbackQuery)
	case u.MessageReaction != nil:
		r := u.MessageReaction
		if r.User == nil || r.User.IsBot || len(r.New) == 0 {
			return nil
		}
		place := core.Place{Platform: core.Telegram, Chat: strconv.FormatInt(r.Chat.ID, 10)}
		return in.Handle(ctx, core.ReactionEvent{Place: place, ID: strconv.Itoa(r.MessageID), Sender: sender(r.User), Emoji: r.New[0].Emoji, At: time.Unix(r.Date, 0)})
	}
	return nil
}

// placeOf says where a message is, and whether cornershop should hear it:
// private chats, desk topics, and configured groups.
func (b *Bot) placeOf(m *message) (core.Place, bool) {
	if m.Chat == nil {
		return core.Place{}, false
	}
	p := core.Place{Platform: core.Telegram, Chat: strconv.FormatInt(m.Chat.ID, 10)}
	switch {
	case m.Chat.IsPrivate():
		return p, true
	case b.isDesk(m.Chat.ID):
		if m.IsTopicMessage && m.MessageThreadID != 0 {
			p.Thread = strconv.Itoa(m.MessageThreadID)
		}
		return p, true
	case b.isGroup(m.Chat.ID), b.isListening(m.Chat.ID):
		if b.isListening(m.Chat.ID) && m.IsTopicMessage && m.MessageThreadID != 0 {
			p.Thread = strconv.Itoa(m.MessageThreadID)
		}
		return p, true
	}
	if topic, ok := b.isBoard(m.Chat.ID, m.MessageThreadID); ok {
		p.Thread = topic
		return p, true
	}
	return core.Place{}, false
}

func sender(u *tgbotapi.User) core.Sender {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	return core.Sender{UserID: strconv.FormatInt(u.ID, 10), Handle: u.UserName, Name: name, Bot: u.IsBot}
}

// addressed reports whether a group message is meant for the bot: it
// mentions the bot, answers one of its messages, or is a command.
func (b *Bot) addressed(m *message, self *tgbotapi.User) bool {
	if m.IsCommand() {
		return true
	}
	if m.ReplyToMessage != nil && m.ReplyToMessage.From != nil && m.ReplyToMessage.From.ID == self.ID {
		return true
	}
	return self.UserName != "" && strings.Contains(strings.ToLower(textOf(&m.Message)), "@"+strings.ToLower(self.UserName))
}

func (b *Bot) onMessage(ctx context.Context, in core.Inbox, m *message) error {
	place, ok := b.placeOf(m)
	if !ok || m.From == nil || m.From.IsBot {
		return nil
	}
	self, err := b.me(ctx)
	if err != nil {
		return err
	}
	if b.isListening(m.Chat.ID) {
		return b.heard(ctx, in, m, place)
	}
	_, board := b.isBoard(m.Chat.ID, m.MessageThreadID)
	group := !m.Chat.IsPrivate() && !b.isDesk(m.Chat.ID) && !board
	if group && !b.addressed(m, self) {
		return nil
	}
	if m.IsCommand() {
		if handled, err := b.onCommand(ctx, in, m, place); handled || err != nil {
			return err
		}
	}
	text := textOf(&m.Message)
	if group {
		text = strings.TrimSpace(strings.ReplaceAll(text, "@"+self.UserName, ""))
	}
	atts, notes := b.attachments(&m.Message)
	if len(notes) > 0 {
		text = strings.TrimSpace(strings.Join(append([]string{text}, notes...), "\n"))
	}
	return in.Handle(ctx, core.MessageEvent{
		Place: place, ID: strconv.Itoa(m.MessageID), Sender: sender(m.From), Text: text,
		Attachments: atts, At: time.Unix(int64(m.Date), 0), Direct: m.Chat.IsPrivate(), ReplyTo: replyTo(m),
	})
}

// replyTo is the message m answers. In forum topics Telegram sets
// reply_to_message to the topic's first message on every message that
// answers nothing else; that is no reply.
func replyTo(m *message) string {
	r := m.ReplyToMessage
	if r == nil || (m.IsTopicMessage && r.MessageID == m.MessageThreadID) {
		return ""
	}
	return strconv.Itoa(r.MessageID)
}

// customerCommands are the commands a customer may send.
var customerCommands = map[string]bool{"start": true, "help": true, "link": true, "idea": true, "ideas": true, "vote": true}

// onCommand answers /start, /help, /link, /idea, /ideas and /vote at
// customer places and ideas boards, and runs
// /close, /note … as desk commands inside topics. It reports whether the
// message was a command it handled.
func (b *Bot) onCommand(ctx context.Context, in core.Inbox, m *message, place core.Place) (bool, error) {
	ai, ok := in.(core.ActionInbox)
	if !ok {
		return false, nil
	}
	name := strings.ToLower(m.Command())
	desk := b.isDesk(m.Chat.ID)
	if !desk && !customerCommands[name] {
		return false, nil
	}
	res, err := ai.Act(ctx, core.ActionEvent{Place: place, Sender: sender(m.From), Name: name, Args: strings.Fields(m.CommandArguments()),
		At: time.Unix(int64(m.Date), 0), ID: strconv.Itoa(m.MessageID), Ref: strconv.Itoa(m.MessageID)})
	if err != nil {
		return true, err
	}
	if res.Text != "" && !desk {
		p := target(place)
		p["text"] = res.Text
		if kb := keyboard(res.Buttons); kb != "" {
			p["reply_markup"] = kb
		}
		if _, err := b.call(ctx, "sendMessage", p); err != nil {
			b.o.Logger.Warn("telegram: could not answer a command", "err", err)
		}
	}
	return true, nil
}

// onCallback routes an inline button press ("act:<name>[:<args>]") to the
// ActionInbox and answers the query with the result. The query's id is the
// press's identity ("cb:" apart from message ids, which a command typed in
// the same chat carries): an update carrying it again acts on nothing.
func (b *Bot) onCallback(ctx context.Context, in core.Inbox, cb *callback) error {
	ai, ok := in.(core.ActionInbox)
	if !ok || cb.Message == nil {
		return nil
	}
	place, ok := b.placeOf(cb.Message)
	if !ok {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(cb.Data, "act:"), ":")
	res, err := ai.Act(ctx, core.ActionEvent{Place: place, Sender: sender(&cb.From), Name: parts[0], Args: parts[1:],
		Ref: strconv.Itoa(cb.Message.MessageID), ID: "cb:" + cb.ID, At: time.Now()})
	if err != nil && !errors.Is(err, core.ErrInvalid) {
		return err
	}
	if res.Repeat {
		// Pressed once, delivered again (a webhook retry or replay): the
		// first delivery answered the query, which takes one answer.
		return nil
	}
	text := res.Text
	if res.Message && text != "" {
		// Content to read (an answer's body), not a notice: a message in
		// the chat, plain text, and an empty answer to the query.
		p := target(place)
		p["text"] = clipRunes(text, 4096)
		if kb := keyboard(res.Buttons); kb != "" {
			p["reply_markup"] = kb
		}
		if _, err := b.call(ctx, "sendMessage", p); err != nil {
			b.o.Logger.Warn("telegram: could not show a button's answer", "err", err)
		}
		text = ""
	}
	if len([]rune(text)) > 200 {
		text = string([]rune(text)[:199]) + "…"
	}
	if _, err := b.call(ctx, "answerCallbackQuery", tgbotapi.Params{"callback_query_id": cb.ID, "text": text}); err != nil {
		b.o.Logger.Warn("telegram: could not answer a button", "err", err)
	}
	return nil
}

// textOf is a message's text or caption, with the address of each link
// written after its label (see withLinkTargets).
func textOf(m *tgbotapi.Message) string {
	if m.Text != "" {
		return withLinkTargets(m.Text, m.Entities)
	}
	return withLinkTargets(m.Caption, m.CaptionEntities)
}

// attachments lists what a message carries and describes what cannot be
// relayed as a file, so nothing is dropped silently.
func (b *Bot) attachments(m *tgbotapi.Message) ([]core.Attachment, []string) {
	var atts []core.Attachment
	var notes []string
	add := func(kind core.AttachmentKind, id, name, mime string, size int) {
		if int64(size) > b.o.FileSizeLimit {
			notes = append(notes, fmt.Sprintf("📎 %s (%s) is larger than the %s bots may download; ask the customer for another way to share it.", firstNonEmpty(name, string(kind)), humanSize(int64(size)), humanSize(b.o.FileSizeLimit)))
			return
		}
		atts = append(atts, core.Attachment{Kind: kind, Name: name, ContentType: mime, Size: int64(size), Platform: core.Telegram, Ref: id})
	}
	switch {
	case len(m.Photo) > 0:
		p := m.Photo[len(m.Photo)-1]
		add(core.KindImage, p.FileID, "photo.jpg", "image/jpeg", p.FileSize)
	case m.Document != nil:
		add(core.KindFile, m.Document.FileID, m.Document.FileName, m.Document.MimeType, m.Document.FileSize)
	case m.Voice != nil:
		add(core.KindVoice, m.Voice.FileID, "voice.ogg", m.Voice.MimeType, m.Voice.FileSize)
	case m.Audio != nil:
		add(core.KindFile, m.Audio.FileID, firstNonEmpty(m.Audio.FileName, "audio"), m.Audio.MimeType, m.Audio.FileSize)
	case m.Video != nil:
		add(core.KindFile, m.Video.FileID, firstNonEmpty(m.Video.FileName, "video.mp4"), m.Video.MimeType, m.Video.FileSize)
	case m.Sticker != nil:
		notes = append(notes, fmt.Sprintf("[sticker %s]", m.Sticker.Emoji))
	case m.Location != nil:
		notes = append(notes, fmt.Sprintf("📍 Location: %.5f, %.5f https://maps.google.com/?q=%.5f,%.5f", m.Location.Latitude, m.Location.Longitude, m.Location.Latitude, m.Location.Longitude))
	case m.Contact != nil:
		notes = append(notes, fmt.Sprintf("👤 Shared contact: %s %s %s", m.Contact.FirstName, m.Contact.LastName, m.Contact.PhoneNumber))
	case m.Poll != nil:
		notes = append(notes, "📊 Poll: "+m.Poll.Question)
	case m.Text == "" && m.Caption == "":
		notes = append(notes, "[a message Telegram cannot show outside the app]")
	}
	return atts, notes
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

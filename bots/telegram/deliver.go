package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/internal/fetch"
	"cornershop/core"
)

// uploadLimit is the largest file a bot may send (sendDocument).
const uploadLimit = 50 << 20

func target(place core.Place) tgbotapi.Params {
	p := tgbotapi.Params{"chat_id": place.Chat}
	if place.Thread != "" {
		p["message_thread_id"] = place.Thread
	}
	return p
}

func msgID(resp *tgbotapi.APIResponse) (string, error) {
	var m struct {
		MessageID int `json:"message_id"`
	}
	if err := decode(resp, &m); err != nil {
		return "", err
	}
	return strconv.Itoa(m.MessageID), nil
}

// Send implements core.Platform: text in HTML parts, then files.
func (b *Bot) Send(ctx context.Context, m core.Outgoing) (core.Receipt, error) {
	var ids []string
	parts := render(m)
	if strings.TrimSpace(m.Text) == "" && len(m.Files) > 0 && m.Kind != core.KindReply && m.Kind != core.KindCustomerCopy {
		parts = nil
	}
	for i, part := range parts {
		if err := b.pace(ctx, m.Place.Chat, len(ids) > 0); err != nil {
			return core.Receipt{IDs: ids}, err
		}
		p := target(m.Place)
		p["text"] = part
		p["parse_mode"] = "HTML"
		p["link_preview_options"] = `{"is_disabled":true}`
		if kb := keyboard(m.Buttons); kb != "" && i == len(parts)-1 {
			p["reply_markup"] = kb
		}
		if i == 0 && m.Anchor != "" && m.Kind == core.KindReply && strings.HasPrefix(m.Place.Chat, "-") {
			p["reply_parameters"] = `{"message_id":` + m.Anchor + `,"allow_sending_without_reply":true}`
		}
		resp, err := b.call(ctx, "sendMessage", p)
		if err != nil {
			if len(ids) > 0 {
				// Part of a split text went out: report it as sent so it is
				// never repeated, and say what is missing.
				b.o.Logger.Warn("telegram: a split message was sent in part", "sent", len(ids), "of", len(parts), "err", err)
				return core.Receipt{IDs: ids}, nil
			}
			return core.Receipt{}, err
		}
		id, err := msgID(resp)
		if err != nil {
			return core.Receipt{}, err
		}
		ids = append(ids, id)
	}
	for _, f := range m.Files {
		id, err := b.sendFile(ctx, m.Place, f)
		if err != nil {
			if len(ids) > 0 {
				b.o.Logger.Warn("telegram: file not sent after the text", "file", f.Name, "err", err)
				continue
			}
			return core.Receipt{}, err
		}
		ids = append(ids, id)
	}
	return core.Receipt{IDs: ids}, nil
}

// sendFile uploads one attachment, or posts a note naming it when it is too
// large or cannot be fetched.
func (b *Bot) sendFile(ctx context.Context, place core.Place, f core.File) (string, error) {
	note := func(why string) (string, error) {
		p := target(place)
		p["text"] = fmt.Sprintf("📎 %s (%s) %s", escape(firstNonEmpty(f.Name, "file")), humanSize(f.Size), why)
		p["parse_mode"] = "HTML"
		resp, err := b.call(ctx, "sendMessage", p)
		if err != nil {
			return "", err
		}
		return msgID(resp)
	}
	if f.Size > uploadLimit {
		return note("is larger than Telegram lets bots send (50 MB).")
	}
	if f.Open == nil {
		return note("could not be fetched from " + string(f.Platform) + ".")
	}
	rc, err := f.Open(ctx)
	if err != nil {
		if class, _ := core.Classify(err); class == core.ClassPermanent {
			return note("could not be fetched: " + err.Error())
		}
		return "", err
	}
	data, err := io.ReadAll(io.LimitReader(rc, uploadLimit+1))
	rc.Close()
	if err != nil {
		return "", core.Transient(fmt.Errorf("read attachment: %w", err))
	}
	if len(data) > uploadLimit {
		return note("is larger than Telegram lets bots send (50 MB).")
	}
	method, field := "sendDocument", "document"
	if f.Kind == core.KindImage && len(data) <= 10<<20 {
		method, field = "sendPhoto", "photo"
	}
	if err := b.pace(ctx, place.Chat, true); err != nil {
		return "", err
	}
	key := window(method, place.Chat)
	if left := b.held.Left(key); left > 0 {
		return "", core.Paced(left, fmt.Errorf("telegram %s: waiting out a retry_after", method))
	}
	resp, err := b.client(ctx).UploadFiles(method, target(place), []tgbotapi.RequestFile{{Name: field, Data: tgbotapi.FileBytes{Name: firstNonEmpty(f.Name, "file"), Bytes: data}}})
	if err != nil {
		return "", b.hold(key, b.classify(method, err))
	}
	return msgID(resp)
}

// OpenThread implements core.ThreadOpener: a forum topic named after the
// contact, opened by the contact card.
func (b *Bot) OpenThread(ctx context.Context, desk core.Place, card core.ContactCard) (core.Thread, error) {
	return b.openTopic(ctx, desk, topicName(card), cardHTML(card))
}

// openTopic opens a forum topic called name whose first message is html.
func (b *Bot) openTopic(ctx context.Context, desk core.Place, name, html string) (core.Thread, error) {
	resp, err := b.call(ctx, "createForumTopic", tgbotapi.Params{"chat_id": desk.Chat, "name": name})
	if err != nil {
		return core.Thread{}, err
	}
	var topic struct {
		MessageThreadID int `json:"message_thread_id"`
	}
	if err := decode(resp, &topic); err != nil {
		return core.Thread{}, err
	}
	th := core.Place{Platform: core.Telegram, Chat: desk.Chat, Thread: strconv.Itoa(topic.MessageThreadID)}
	p := target(th)
	p["text"], p["parse_mode"] = html, "HTML"
	resp, err = b.call(ctx, "sendMessage", p)
	if class, _ := core.Classify(err); err != nil && class == core.ClassPermanent {
		// A topic without its card is no desk thread: take it back (best
		// effort), so that trying again, or the relay's fallback to the
		// desk chat, leaves no empty topics behind.
		_, _ = b.call(ctx, "deleteForumTopic", target(th))
	}
	if err != nil {
		return core.Thread{}, err
	}
	id, err := msgID(resp)
	if err != nil {
		return core.Thread{}, err
	}
	return core.Thread{Place: th, CardID: id}, nil
}

// notModified reports Telegram's answer to a change that changes nothing,
// which is success for an idempotent update.
func notModified(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "not modified") || strings.Contains(err.Error(), "TOPIC_NOT_MODIFIED"))
}

// UpdateCard implements core.CardUpdater: the topic title shows the status,
// the card is edited, and the topic is closed or reopened with the
// conversation.
func (b *Bot) UpdateCard(ctx context.Context, t core.Thread, card core.ContactCard) error {
	p := target(t.Place)
	p["name"] = topicName(card)
	if _, err := b.call(ctx, "editForumTopic", p); err != nil && !notModified(err) {
		return err
	}
	if t.CardID != "" {
		p := tgbotapi.Params{"chat_id": t.Place.Chat, "message_id": t.CardID, "text": cardHTML(card), "parse_mode": "HTML"}
		if _, err := b.call(ctx, "editMessageText", p); err != nil && !notModified(err) {
			return err
		}
	}
	method := "reopenForumTopic"
	if card.Status == core.StatusClosed {
		method = "closeForumTopic"
	}
	if _, err := b.call(ctx, method, target(t.Place)); err != nil && !notModified(err) {
		return err
	}
	return nil
}

// Edit implements core.Editor. A text that now needs more parts than were
// sent fills the parts there are and says, in the last, how many more did
// not fit.
func (b *Bot) Edit(ctx context.Context, place core.Place, ids []string, m core.Outgoing) error {
	parts := render(m)
	for i, id := range ids {
		text := "…"
		if i < len(parts) {
			text = parts[i]
		}
		if i == len(ids)-1 && len(parts) > len(ids) {
			// The edit is longer than what was sent and a bot cannot add
			// messages to an edit: say so rather than cut the markup.
			text += fmt.Sprintf("\n<i>(cut: %d more part(s) of this edit do not fit)</i>", len(parts)-len(ids))
		}
		p := tgbotapi.Params{"chat_id": place.Chat, "message_id": id, "text": text, "parse_mode": "HTML"}
		if kb := keyboard(m.Buttons); kb != "" && i == len(ids)-1 {
			// editMessageText without reply_markup drops the inline
			// keyboard: a render that keeps buttons sends them again.
			p["reply_markup"] = kb
		}
		if _, err := b.call(ctx, "editMessageText", p); err != nil && !notModified(err) && !noText(err) {
			return err
		}
	}
	return nil
}

// noText reports Telegram's answer to a text edit of a file message (a
// copy's attachment, or the whole text of a long message sent as a file):
// it has no text to change, and is left as it is.
func noText(err error) bool {
	return strings.Contains(err.Error(), "there is no text in the message to edit")
}

// Delete implements core.Deleter; Telegram refuses messages older than 48
// hours, which comes back as a permanent error naming the rule.
func (b *Bot) Delete(ctx context.Context, place core.Place, ids []string) error {
	for _, id := range ids {
		_, err := b.call(ctx, "deleteMessage", tgbotapi.Params{"chat_id": place.Chat, "message_id": id})
		switch {
		case err == nil, err != nil && strings.Contains(err.Error(), "message to delete not found"):
		case strings.Contains(err.Error(), "can't be deleted"):
			return core.Permanent(errors.New("Telegram lets bots delete messages only within 48 hours"))
		default:
			return err
		}
	}
	return nil
}

// reactions are the emoji Telegram accepts as reactions (ReactionTypeEmoji).
var reactions = strings.Fields("👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡")

// reactionFor maps an emoji to one Telegram accepts: ✅ (cornershop's
// "sent" mark) becomes 👌, ❤️ loses its variation selector.
func reactionFor(emoji string) (string, bool) {
	emoji = strings.TrimSuffix(emoji, "\uFE0F")
	if emoji == "✅" || emoji == "✔" {
		return "👌", true
	}
	for _, r := range reactions {
		if r == emoji {
			return r, true
		}
	}
	return "", false
}

// React implements core.Reactor (bots may set one reaction).
func (b *Bot) React(ctx context.Context, place core.Place, id, emoji string) error {
	r, ok := reactionFor(emoji)
	if !ok {
		return core.Permanent(fmt.Errorf("telegram has no reaction %s: %w", emoji, core.ErrUnsupported))
	}
	_, err := b.call(ctx, "setMessageReaction", tgbotapi.Params{"chat_id": place.Chat, "message_id": id, "reaction": `[{"type":"emoji","emoji":"` + r + `"}]`})
	return err
}

// Download implements core.Downloader: getFile, then the file itself from
// the configured API server.
func (b *Bot) Download(ctx context.Context, a core.Attachment) (io.ReadCloser, error) {
	resp, err := b.call(ctx, "getFile", tgbotapi.Params{"file_id": a.Ref})
	if err != nil {
		return nil, err
	}
	var f struct {
		FilePath string `json:"file_path"`
	}
	if err := decode(resp, &f); err != nil {
		return nil, err
	}
	return fetch.Get(ctx, b.o.HTTPClient, "telegram", b.o.APIURL+"/file/bot"+b.o.Token+"/"+f.FilePath, nil, b.o.Token)
}

// Member implements core.StaffLookup: members and administrators of the
// desk supergroup, with their Telegram name.
func (b *Bot) Member(ctx context.Context, desk core.Place, userID string) (core.Voice, bool, error) {
	resp, err := b.call(ctx, "getChatMember", tgbotapi.Params{"chat_id": desk.Chat, "user_id": userID})
	if err != nil {
		return core.Voice{}, false, err
	}
	var cm struct {
		Status string        `json:"status"`
		User   tgbotapi.User `json:"user"`
	}
	if err := decode(resp, &cm); err != nil {
		return core.Voice{}, false, err
	}
	switch cm.Status {
	case "creator", "administrator", "member":
		return core.Voice{Name: strings.TrimSpace(cm.User.FirstName + " " + cm.User.LastName)}, !cm.User.IsBot, nil
	}
	return core.Voice{}, false, nil
}

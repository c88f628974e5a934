package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/internal/chunk"
	"cornershop/core"
)

var (
	_ core.IdeaBoard    = (*Bot)(nil)
	_ core.DirectOpener = (*Bot)(nil)
)

// isBoard reports whether a message in chat's topic is on an ideas board,
// and returns the board's topic.
func (b *Bot) isBoard(chatID int64, topic int) (string, bool) {
	id := strconv.FormatInt(chatID, 10)
	for _, bd := range b.o.IdeaBoards {
		chat, t, _ := strings.Cut(bd, "/")
		if chat == id && (t == "" || t == strconv.Itoa(topic)) {
			return t, true
		}
	}
	return "", false
}

// votes renders a vote count.
func votes(n int) string {
	if n == 1 {
		return "1 vote"
	}
	return fmt.Sprintf("%d votes", n)
}

// Idea card parts, in UTF-16 units as shown: together well within a
// message's 4,096.
const (
	ideaTitle   = 256
	ideaBody    = 600
	ideaMessage = 1500
	ideaTags    = 500
	ideaAuthor  = 128
)

// ideaHTML renders an idea's card; customer text is escaped and every
// part cut to its share, so the card fits in one message.
func ideaHTML(i core.Idea) string {
	var b strings.Builder
	fmt.Fprintf(&b, "💡 <b>#%d %s</b>\n", i.ID, text(i.Title, ideaTitle))
	switch {
	case i.Hidden:
		b.WriteString("<i>This idea was hidden by a moderator.</i>")
		return b.String()
	case i.MergedInto != 0:
		fmt.Fprintf(&b, "🔁 Merged into #%d — vote there.", i.MergedInto)
		return b.String()
	}
	fmt.Fprintf(&b, "%s %s · %s · %d comments", i.Status.Emoji(), escape(i.Status.Label()), votes(i.Votes), i.Comments)
	if i.Body != "" {
		b.WriteString("\n\n" + text(i.Body, ideaBody))
	}
	if i.Message != "" {
		b.WriteString("\n\n📣 " + text(i.Message, ideaMessage))
	}
	if len(i.Tags) > 0 {
		tags := make([]string, len(i.Tags))
		for n, t := range i.Tags {
			tags[n] = text(t, ideaTitle)
		}
		b.WriteString("\n🏷️ " + chunk.JoinFit(tags, ", ", ideaTags, parsedLen, func(n int) string { return fmt.Sprintf("… and %d more", n) }))
	}
	fmt.Fprintf(&b, "\n<i>Proposed by %s</i>", text(i.AuthorName, ideaAuthor))
	return b.String()
}

// voteKeyboard is the card's vote button; pressing it sends "act:vote:<id>"
// back as a callback. Hidden ideas have none.
func voteKeyboard(i core.Idea) string {
	if i.Hidden {
		return `{"inline_keyboard":[]}`
	}
	kb := map[string]any{"inline_keyboard": [][]map[string]string{{{
		"text": fmt.Sprintf("👍 Vote (%d)", i.Votes), "callback_data": fmt.Sprintf("act:vote:%d", i.ID),
	}}}}
	out, _ := json.Marshal(kb) // a map of strings always encodes
	return string(out)
}

// PostIdea implements core.IdeaBoard: the card with a vote button, in the
// board's topic or the chat the idea was proposed in.
func (b *Bot) PostIdea(ctx context.Context, place core.Place, i core.Idea) (core.Thread, error) {
	if err := b.pace(ctx, place.Chat, false); err != nil {
		return core.Thread{}, err
	}
	p := target(place)
	p["text"], p["parse_mode"], p["reply_markup"] = ideaHTML(i), "HTML", voteKeyboard(i)
	p["link_preview_options"] = `{"is_disabled":true}`
	if _, err := strconv.Atoi(i.SourceID); err == nil {
		p["reply_parameters"] = `{"message_id":` + i.SourceID + `,"allow_sending_without_reply":true}`
	}
	resp, err := b.call(ctx, "sendMessage", p)
	if err != nil {
		return core.Thread{}, err
	}
	id, err := msgID(resp)
	if err != nil {
		return core.Thread{}, err
	}
	return core.Thread{Place: place, CardID: id}, nil
}

// UpdateIdea implements core.IdeaBoard: the card and its button are edited
// in place.
func (b *Bot) UpdateIdea(ctx context.Context, t core.Thread, i core.Idea) error {
	if err := b.pace(ctx, t.Place.Chat, false); err != nil {
		return err
	}
	p := tgbotapi.Params{"chat_id": t.Place.Chat, "message_id": t.CardID, "text": ideaHTML(i), "parse_mode": "HTML",
		"reply_markup": voteKeyboard(i), "link_preview_options": `{"is_disabled":true}`}
	if _, err := b.call(ctx, "editMessageText", p); err != nil && !notModified(err) {
		return err
	}
	return nil
}

// DirectPlace implements core.DirectOpener: a private chat's id is the
// user's id (the user must have started the bot, else sends fail with 403).
func (b *Bot) DirectPlace(_ context.Context, userID string) (core.Place, error) {
	if _, err := strconv.ParseInt(userID, 10, 64); err != nil {
		return core.Place{}, core.Permanent(fmt.Errorf("telegram: user id %q: %w", userID, core.ErrInvalid))
	}
	return core.Place{Platform: core.Telegram, Chat: userID}, nil
}

package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	slackapi "github.com/slack-go/slack"

	"cornershop/bots/internal/chunk"
	"cornershop/bots/internal/fetch"
	"cornershop/core"
)

// uploadLimit is the largest file cornershop uploads to Slack; bigger ones
// are named in a note. (Slack accepts up to 1 GB; a relay should not.)
const uploadLimit = 100 << 20

// voiceOptions makes a post show the speaker's name and face.
func voiceOptions(m core.Outgoing) []slackapi.MsgOption {
	switch {
	case m.Kind == core.KindReply || (m.Kind == core.KindSystem && m.Voice.Team):
		// A reply, or cornershop speaking for the team (a suggestion).
		name := m.Voice.Label()
		if m.Voice.Team {
			name = m.Voice.Name
		}
		opts := []slackapi.MsgOption{slackapi.MsgOptionUsername(clip(name, 80))}
		if m.Voice.AvatarURL != "" {
			opts = append(opts, slackapi.MsgOptionIconURL(m.Voice.AvatarURL))
		}
		return opts
	case m.Kind == core.KindCustomerCopy:
		name := firstNonEmpty(m.From.Name, m.From.Handle, "Customer")
		if m.From.Platform != "" && m.From.Platform != core.Slack {
			name += " (" + string(m.From.Platform) + ")"
		}
		opts := []slackapi.MsgOption{slackapi.MsgOptionUsername(clip(name, 80))}
		if m.From.AvatarURL != "" {
			opts = append(opts, slackapi.MsgOptionIconURL(m.From.AvatarURL))
		}
		return opts
	}
	return nil
}

// texts renders an outgoing message as escaped mrkdwn parts.
func texts(m core.Outgoing) []string {
	text := m.Text
	for _, c := range m.Commands {
		// cornershop's hint, as Slack runs it.
		text = strings.ReplaceAll(text, c, asSlash(c))
	}
	if m.Kind == core.KindReply && m.Voice.Signature != "" && !m.Voice.Team {
		text += "\n— " + m.Voice.Signature
	}
	var out []string
	for _, p := range chunk.Split(text, maxText) {
		if m.Deleted {
			p = "~" + p + "~"
		}
		out = append(out, escape(p))
	}
	if m.Kind == core.KindNoteEcho {
		out[0] = "📝 *" + escape(m.Voice.Name) + "* (internal note): " + out[0]
	}
	if tag := mention(m.Mention); tag != "" {
		out[0] = tag + " " + out[0]
	}
	switch {
	case m.Deleted:
		out[len(out)-1] += " _(deleted)_"
	case m.Edited:
		out[len(out)-1] += " _(edited)_"
	}
	return out
}

// threadFor says which thread a post belongs in: the place's thread, or
// for a customer who wrote top-level in a shared channel, a thread under
// their first message.
func threadFor(m core.Outgoing) string {
	if m.Place.Thread != "" {
		return m.Place.Thread
	}
	if m.Kind == core.KindReply && m.Anchor != "" && !strings.HasPrefix(m.Place.Chat, "D") {
		return m.Anchor
	}
	return ""
}

// Send implements core.Platform.
func (b *Bot) Send(ctx context.Context, m core.Outgoing) (core.Receipt, error) {
	thread := threadFor(m)
	var ids []string
	parts := texts(m)
	if strings.TrimSpace(m.Text) == "" && len(m.Files) > 0 {
		parts = nil
	}
	for i, part := range parts {
		if err := b.pace(ctx, m.Place.Chat, len(ids) > 0); err != nil {
			return core.Receipt{IDs: ids}, err
		}
		opts := append([]slackapi.MsgOption{slackapi.MsgOptionText(part, false), slackapi.MsgOptionDisableLinkUnfurl(), slackapi.MsgOptionDisableMediaUnfurl()}, voiceOptions(m)...)
		if i == len(parts)-1 && len(m.Buttons) > 0 {
			opts = append(opts, slackapi.MsgOptionBlocks(buttonBlocks(part, m.Buttons)...))
		}
		if thread != "" {
			opts = append(opts, slackapi.MsgOptionTS(thread))
		}
		_, ts, err := b.api.PostMessageContext(ctx, m.Place.Chat, opts...)
		if err != nil {
			if len(ids) > 0 {
				b.o.Logger.Warn("slack: a split message was sent in part", "sent", len(ids), "err", err)
				break
			}
			return core.Receipt{}, b.classify("chat.postMessage", err)
		}
		ids = append(ids, ts)
	}
	for _, f := range m.Files {
		id, err := b.upload(ctx, m, thread, f)
		if err != nil {
			if len(ids) > 0 {
				b.o.Logger.Warn("slack: file not sent after the text", "err", err)
				continue
			}
			return core.Receipt{}, err
		}
		ids = append(ids, id)
	}
	return core.Receipt{IDs: ids}, nil
}

// upload shares one file through Slack's three-step external upload, or
// posts a note naming it when it is too big or cannot be fetched.
func (b *Bot) upload(ctx context.Context, m core.Outgoing, thread string, f core.File) (string, error) {
	note := func(why string) (string, error) {
		opts := append([]slackapi.MsgOption{slackapi.MsgOptionText(escape(fmt.Sprintf("📎 %s %s", firstNonEmpty(f.Name, "file"), why)), false)}, voiceOptions(m)...)
		if thread != "" {
			opts = append(opts, slackapi.MsgOptionTS(thread))
		}
		_, ts, err := b.api.PostMessageContext(ctx, m.Place.Chat, opts...)
		if err != nil {
			return "", b.classify("chat.postMessage", err)
		}
		return ts, nil
	}
	if f.Size > uploadLimit {
		return note("is too large to relay.")
	}
	if f.Open == nil {
		return note("could not be fetched from " + string(f.Platform) + ".")
	}
	rc, err := f.Open(ctx)
	if err != nil {
		if class, _ := core.Classify(err); class == core.ClassPermanent {
			return note("could not be fetched.")
		}
		return "", err
	}
	data, err := io.ReadAll(io.LimitReader(rc, uploadLimit+1))
	rc.Close()
	if err != nil {
		return "", core.Transient(fmt.Errorf("read attachment: %w", err))
	}
	if len(data) > uploadLimit {
		return note("is too large to relay.")
	}
	sum, err := b.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
		Reader: strings.NewReader(string(data)), FileSize: len(data), Filename: firstNonEmpty(f.Name, "file"),
		Channel: m.Place.Chat, ThreadTimestamp: thread,
	})
	if err != nil {
		return "", b.classify("files.upload", err)
	}
	return "file:" + sum.ID, nil
}

// Card parts, in characters once escaped: each list is cut to its share
// and says how many it left out.
const (
	cardName     = 200
	cardAccounts = 2900 // a context element's 3,000
	cardTags     = 1900 // a field's 2,000, less its title
	cardProfile  = 2900
	cardKey      = 100
	cardValue    = 500
)

// cardBlocks renders the contact card at the root of a desk thread, within
// Slack's limits whatever the contact holds.
func cardBlocks(card core.ContactCard) ([]slackapi.Block, string) {
	status := map[core.Status]string{core.StatusOpen: "🟢 open", core.StatusWaiting: "🟡 waiting on the customer", core.StatusClosed: "✅ closed"}[card.Status]
	name := firstNonEmpty(card.Name, "Customer")
	head := fmt.Sprintf("*%s* — %s", text(name, cardName), status)
	var ids []string
	for _, id := range card.Identities {
		h := firstNonEmpty(id.Handle, id.Name, id.UserID)
		ids = append(ids, fmt.Sprintf("%s: %s", id.Platform, text(h, cardName)))
	}
	assignee := "nobody"
	if card.Assignee != "" {
		assignee = text(card.Assignee, cardName)
	}
	tags := "none"
	if len(card.Tags) > 0 {
		escaped := make([]string, len(card.Tags))
		for i, t := range card.Tags {
			escaped[i] = text(t, cardName)
		}
		tags = chunk.JoinFit(escaped, ", ", cardTags, chars, chunk.AndMore("tag", "tags"))
	}
	fields := []*slackapi.TextBlockObject{
		slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Assigned to*\n"+assignee, false, false),
		slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Tags*\n"+tags, false, false),
		slackapi.NewTextBlockObject(slackapi.MarkdownType, fmt.Sprintf("*Earlier conversations*\n%d", card.Previous), false, false),
		slackapi.NewTextBlockObject(slackapi.MarkdownType, fmt.Sprintf("*Conversation*\n#%d on %s", card.Conversation, card.Customer.Platform), false, false),
	}
	if card.Due != "" {
		fields = append(fields, slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Response due*\n"+text(card.Due, cardName), false, false))
	}
	if card.Satisfaction != "" {
		fields = append(fields, slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Satisfaction*\n"+text(card.Satisfaction, cardName), false, false))
	}
	if card.Retention != "" {
		fields = append(fields, slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Retention*\n"+text(card.Retention, cardName), false, false))
	}
	toggle := slackapi.NewButtonBlockElement("cornershop:close", "", slackapi.NewTextBlockObject(slackapi.PlainTextType, "Close", false, false))
	if card.Status == core.StatusClosed {
		toggle = slackapi.NewButtonBlockElement("cornershop:reopen", "", slackapi.NewTextBlockObject(slackapi.PlainTextType, "Reopen", false, false))
	}
	assign := slackapi.NewButtonBlockElement("cornershop:assign", "me", slackapi.NewTextBlockObject(slackapi.PlainTextType, "Assign to me", false, false))
	var profile []string
	for _, f := range card.Profile {
		profile = append(profile, fmt.Sprintf("*%s*: %s", text(f.Key, cardKey), text(f.Value, cardValue)))
	}
	var since []string
	if !card.Since.IsZero() {
		since = append(since, "customer since "+card.Since.UTC().Format("2 Jan 2006"))
	}
	if !card.LastSeen.IsZero() {
		since = append(since, "last wrote "+card.LastSeen.UTC().Format("2 Jan 15:04 MST"))
	}
	blocks := []slackapi.Block{
		slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, head, false, false), fields, nil),
		slackapi.NewContextBlock("ids", slackapi.NewTextBlockObject(slackapi.MarkdownType, orDash(chunk.JoinFit(ids, " · ", cardAccounts, chars, chunk.AndMore("account", "accounts"))), false, false)),
	}
	if len(profile) > 0 || len(since) > 0 {
		line := chunk.JoinFit(profile, " · ", cardProfile-60, chars, func(n int) string { return "… " + chunk.Count(n, "more field", "more fields") + ": `!card`" })
		line = strings.Join(append([]string{line}, since...), " · ")
		blocks = append(blocks, slackapi.NewContextBlock("profile", slackapi.NewTextBlockObject(slackapi.MarkdownType, strings.TrimPrefix(line, " · "), false, false)))
	}
	blocks = append(blocks, slackapi.NewActionBlock("card", toggle, assign))
	fallback := fmt.Sprintf("%s — %s. Reply in this thread to answer; start with // for a note.", text(name, cardName), card.Status)
	return fitBlocks(blocks), fallback
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// OpenThread implements core.ThreadOpener: the card is the thread's root.
func (b *Bot) OpenThread(ctx context.Context, desk core.Place, card core.ContactCard) (core.Thread, error) {
	blocks, text := cardBlocks(card)
	if err := b.pace(ctx, desk.Chat, false); err != nil {
		return core.Thread{}, err
	}
	_, ts, err := b.api.PostMessageContext(ctx, desk.Chat, slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...))
	if err != nil {
		return core.Thread{}, b.classify("chat.postMessage", err)
	}
	return core.Thread{Place: core.Place{Platform: core.Slack, Chat: desk.Chat, Thread: ts}, CardID: ts}, nil
}

// UpdateCard implements core.CardUpdater: the card is edited in place.
func (b *Bot) UpdateCard(ctx context.Context, t core.Thread, card core.ContactCard) error {
	blocks, text := cardBlocks(card)
	_, _, _, err := b.api.UpdateMessageContext(ctx, t.Place.Chat, t.CardID, slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...))
	if err != nil {
		return b.classify("chat.update", err)
	}
	return nil
}

// Edit implements core.Editor.
func (b *Bot) Edit(ctx context.Context, place core.Place, ids []string, m core.Outgoing) error {
	parts := texts(m)
	for i, id := range ids {
		if strings.HasPrefix(id, "file:") {
			continue
		}
		text := "…"
		if i < len(parts) {
			text = parts[i]
		}
		if i == len(ids)-1 && len(parts) > len(ids) {
			text = strings.Join(parts[i:], "\n")
		}
		opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false)}
		if i == 0 && (len(m.Buttons) > 0 || m.Kind == core.KindSystem) {
			// A message with blocks shows its blocks, not its text, and
			// chat.update keeps the old blocks unless given new ones: a
			// card's render (a signal's, with or without its buttons)
			// replaces them.
			opts = append(opts, slackapi.MsgOptionBlocks(buttonBlocks(text, m.Buttons)...))
		}
		if _, _, _, err := b.api.UpdateMessageContext(ctx, place.Chat, id, opts...); err != nil {
			return b.classify("chat.update", err)
		}
	}
	return nil
}

// Delete implements core.Deleter.
func (b *Bot) Delete(ctx context.Context, place core.Place, ids []string) error {
	for _, id := range ids {
		if fileID, ok := strings.CutPrefix(id, "file:"); ok {
			if err := b.api.DeleteFileContext(ctx, fileID); err != nil {
				return b.classify("files.delete", err)
			}
			continue
		}
		if _, _, err := b.api.DeleteMessageContext(ctx, place.Chat, id); err != nil {
			var se slackapi.SlackErrorResponse
			if (errors.As(err, &se) && se.Err == "message_not_found") || err.Error() == "message_not_found" {
				continue
			}
			return b.classify("chat.delete", err)
		}
	}
	return nil
}

// React implements core.Reactor for the reactions Slack has names for.
func (b *Bot) React(ctx context.Context, place core.Place, id, emoji string) error {
	name, ok := emojiName(emoji)
	if !ok {
		name = strings.Trim(emoji, ":")
		if name == emoji && strings.ContainsFunc(emoji, func(r rune) bool { return r > 127 }) {
			return core.Permanent(fmt.Errorf("slack has no name for the reaction %s: %w", emoji, core.ErrUnsupported))
		}
	}
	err := b.api.AddReactionContext(ctx, name, slackapi.ItemRef{Channel: place.Chat, Timestamp: id})
	if err != nil && !strings.Contains(err.Error(), "already_reacted") {
		return b.classify("reactions.add", err)
	}
	return nil
}

// Download implements core.Downloader: url_private with the bot token.
func (b *Bot) Download(ctx context.Context, a core.Attachment) (io.ReadCloser, error) {
	return fetch.Get(ctx, b.o.HTTPClient, "slack", a.Ref, http.Header{"Authorization": {"Bearer " + b.o.BotToken}}, b.o.BotToken)
}

// Member implements core.StaffLookup: members of the desk channel, with
// their Slack profile name and picture.
func (b *Bot) Member(ctx context.Context, desk core.Place, userID string) (core.Voice, bool, error) {
	cursor := ""
	for {
		members, next, err := b.api.GetUsersInConversationContext(ctx, &slackapi.GetUsersInConversationParameters{ChannelID: desk.Chat, Cursor: cursor, Limit: 1000})
		if err != nil {
			return core.Voice{}, false, b.classify("conversations.members", err)
		}
		for _, m := range members {
			if m == userID {
				name, avatar := b.profile(ctx, userID)
				return core.Voice{Name: name, AvatarURL: avatar}, true, nil
			}
		}
		if next == "" {
			return core.Voice{}, false, nil
		}
		cursor = next
	}
}

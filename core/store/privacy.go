package store

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"cornershop/core"
)

// eraser is one EraseContact in progress: what it found before changing
// anything, and the transaction it changes it in.
type eraser struct {
	t        *tx
	e        core.Erasure
	at       time.Time
	contacts []int64
	convs    []int64
	msgs     []int64
	texts    []string // the messages' texts before the erase (answer misses)
	chats    []string // the customer chats of the conversations (request keys)
	accounts []identityRow
	rep      core.EraseReport
}

// exec runs one statement of the erase, naming it in the error.
func (r *eraser) exec(what, q string, args ...any) error {
	if err := r.t.db.Exec(q, args...).Error; err != nil {
		return mapErr("erase: "+what, err)
	}
	return nil
}

// EraseContact runs every step in the caller's transaction: a failure
// anywhere rolls all of it back, so an erase is whole or not at all.
func (t *tx) EraseContact(id core.ContactID, e core.Erasure) (core.EraseReport, error) {
	r := &eraser{t: t, e: e, at: e.At}
	if r.at.IsZero() {
		r.at = t.now()
	}
	if err := r.find(id); err != nil {
		return core.EraseReport{}, err
	}
	whole := len(e.Conversations) == 0
	steps := []func() error{r.messages, r.conversations, r.outbox, r.requests}
	if whole {
		steps = append(steps, r.ideas, r.person)
	}
	steps = append(steps, r.audit)
	for _, step := range steps {
		if err := step(); err != nil {
			return core.EraseReport{}, err
		}
	}
	return r.rep, nil
}

// find collects the contacts (id and any merged into it), their
// accounts, the conversations and messages to erase.
func (r *eraser) find(id core.ContactID) error {
	db := r.t.db
	var n int64
	if err := db.Model(&contactRow{}).Where("id = ?", int64(id)).Count(&n).Error; err != nil {
		return mapErr("erase: find contact", err)
	}
	if n == 0 {
		return fmt.Errorf("erase: contact %d: %w", id, core.ErrNotFound)
	}
	r.contacts = []int64{int64(id)}
	for i := 0; i < len(r.contacts); i++ {
		var from []int64
		if err := db.Raw("SELECT from_id FROM contact_merges WHERE into_id = ? AND undone_at IS NULL", r.contacts[i]).Scan(&from).Error; err != nil {
			return mapErr("erase: find merged contacts", err)
		}
		for _, f := range from {
			if !slices.Contains(r.contacts, f) {
				r.contacts = append(r.contacts, f)
			}
		}
	}
	if err := db.Where("contact_id IN ?", r.contacts).Find(&r.accounts).Error; err != nil {
		return mapErr("erase: find identities", err)
	}
	q := db.Model(&conversationRow{}).Where("contact_id IN ?", r.contacts)
	if len(r.e.Conversations) > 0 {
		ids := make([]int64, len(r.e.Conversations))
		for i, c := range r.e.Conversations {
			ids[i] = int64(c)
		}
		q = q.Where("id IN ?", ids)
	}
	var convs []conversationRow
	if err := q.Order("id").Find(&convs).Error; err != nil {
		return mapErr("erase: find conversations", err)
	}
	for _, c := range convs {
		r.convs = append(r.convs, c.ID)
		if c.CustomerChat != "" && !slices.Contains(r.chats, c.CustomerChat) {
			r.chats = append(r.chats, c.CustomerChat)
		}
	}
	var msgs []messageRow
	if err := db.Select("id", "text", "attachments").Where("conversation_id IN ?", r.convs).Order("id").Find(&msgs).Error; err != nil {
		return mapErr("erase: find messages", err)
	}
	for _, m := range msgs {
		r.msgs = append(r.msgs, m.ID)
		atts, err := fromJSON[core.Attachment](m.Attachments)
		if err != nil {
			return fmt.Errorf("erase: message %d attachments: %w", m.ID, err)
		}
		for _, a := range atts {
			if a.Stored != "" {
				r.rep.Files = append(r.rep.Files, a.Stored)
			}
		}
		if m.Text != "" && m.Text != r.e.Tombstone {
			r.texts = append(r.texts, m.Text)
		}
	}
	var copies []int64
	err := db.Raw("SELECT DISTINCT message_id FROM message_refs WHERE message_id IN ? AND side = ? AND source = ? ORDER BY message_id",
		r.msgs, string(core.DeskSide), false).Scan(&copies).Error
	if err != nil {
		return mapErr("erase: find desk copies", err)
	}
	for _, c := range r.contacts {
		r.rep.Contacts = append(r.rep.Contacts, core.ContactID(c))
	}
	for _, c := range r.convs {
		r.rep.Conversations = append(r.rep.Conversations, core.ConversationID(c))
	}
	for _, m := range copies {
		r.rep.DeskCopies = append(r.rep.DeskCopies, core.MessageID(m))
	}
	return nil
}

// messages replaces every message's text with the tombstone and forgets
// who wrote it under what name, the files, and the platform ids at the
// customer's side (their chat); the desk side's ids stay, for the edits
// that erase the desk copies.
func (r *eraser) messages() error {
	if err := r.exec("messages", "UPDATE messages SET text = ?, author_name = '', attachments = '[]' WHERE conversation_id IN ?",
		r.e.Tombstone, r.convs); err != nil {
		return err
	}
	if err := r.exec("message authors", "UPDATE messages SET author = '' WHERE conversation_id IN ? AND direction IN ?",
		r.convs, []string{string(core.Inbound), string(core.Rejected)}); err != nil {
		return err
	}
	if err := r.exec("customer refs", "DELETE FROM message_refs WHERE message_id IN ? AND side = ?", r.msgs, string(core.CustomerSide)); err != nil {
		return err
	}
	if len(r.texts) > 0 {
		return r.exec("answer misses", "DELETE FROM answer_misses WHERE query IN ?", r.texts)
	}
	return nil
}

// conversations forgets where the customer was and what staff tagged, and
// the suggestions and survey comments of the conversations.
func (r *eraser) conversations() error {
	if err := r.exec("conversations", `UPDATE conversations SET customer_chat = '', customer_thread = '', anchor = '', tags = '[]',
		erased_at = coalesce(erased_at, ?) WHERE id IN ?`, dbTime(r.at), r.convs); err != nil {
		return err
	}
	if err := r.exec("answer suggestions", "DELETE FROM answer_suggestions WHERE conversation_id IN ?", r.convs); err != nil {
		return err
	}
	return r.exec("survey comments", "UPDATE surveys SET comment = '' WHERE conversation_id IN ?", r.convs)
}

// outbox cancels what was still to go to the customer, clears the errors
// recorded (a platform's error may quote the text) and empties the
// webhook events about the conversations (and, for a whole erase, the
// contact): an endpoint that has not had one yet gets {"erased": true}.
func (r *eraser) outbox() error {
	if err := r.exec("delivery errors", "UPDATE deliveries SET last_error = '' WHERE conversation_id IN ? OR message_id IN ?", r.convs, r.msgs); err != nil {
		return err
	}
	err := r.exec("customer deliveries", `UPDATE deliveries SET state = ?, done_at = ?, claimed_by = '', claimed_until = NULL
		WHERE conversation_id IN ? AND side = ? AND state = ?`,
		string(core.DeliveryCancelled), dbTime(r.at), r.convs, string(core.CustomerSide), string(core.DeliveryPending))
	if err != nil {
		return err
	}
	subjects := make([]string, 0, len(r.convs)+len(r.contacts))
	for _, c := range r.convs {
		subjects = append(subjects, "conversation:"+strconv.FormatInt(c, 10))
	}
	q, args := "UPDATE webhook_events SET data = ? WHERE subject IN ?", []any{`{"erased":true}`, subjects}
	if len(r.e.Conversations) == 0 {
		for _, c := range r.contacts {
			subjects = append(subjects, "contact:"+strconv.FormatInt(c, 10))
		}
		q, args = q+" OR contact_id IN ?", []any{`{"erased":true}`, subjects, r.contacts}
	}
	return r.exec("webhook events", q, args...)
}

// requests forgets the handled request keys made in the person's chats
// (a key starts with the chat's id, see MarkHandled's callers).
func (r *eraser) requests() error {
	for _, chat := range r.chats {
		p := chat + "/"
		if err := r.exec("handled requests", "DELETE FROM handled_requests WHERE substr(key, 1, ?) = ?", len(p), p); err != nil {
			return err
		}
	}
	return nil
}

// ideas removes the person's votes and comments and takes their name off
// the ideas they proposed: one other people voted for stays, by
// core.FormerMember; one nobody else wanted is hidden with its text gone.
func (r *eraser) ideas() error {
	touched := map[int64]bool{}
	users := make([]string, 0, len(r.accounts)+len(r.chats))
	for _, a := range r.accounts {
		var ids []int64
		if err := r.t.db.Raw(`SELECT idea_id FROM idea_votes WHERE platform = ? AND user_id = ?
			UNION SELECT idea_id FROM idea_comments WHERE platform = ? AND user_id = ?`, a.Platform, a.UserID, a.Platform, a.UserID).Scan(&ids).Error; err != nil {
			return mapErr("erase: find votes", err)
		}
		for _, i := range ids {
			touched[i] = true
		}
		if err := r.exec("votes", "DELETE FROM idea_votes WHERE platform = ? AND user_id = ?", a.Platform, a.UserID); err != nil {
			return err
		}
		if err := r.exec("comments", "DELETE FROM idea_comments WHERE platform = ? AND user_id = ?", a.Platform, a.UserID); err != nil {
			return err
		}
		users = append(users, a.UserID)
	}
	users = append(users, r.chats...)
	for _, c := range []string{"idea_notices", "idea_mutes"} {
		if err := r.exec(c, "DELETE FROM "+c+" WHERE contact_id IN ?", r.contacts); err != nil {
			return err
		}
	}
	var own []ideaRow
	if err := r.t.db.Where("author_id IN ?", r.contacts).Find(&own).Error; err != nil {
		return mapErr("erase: find ideas", err)
	}
	for _, i := range own {
		touched[i.ID] = true
		if err := r.idea(i, users); err != nil {
			return err
		}
	}
	for id := range touched {
		r.rep.Ideas = append(r.rep.Ideas, core.IdeaID(id))
	}
	slices.Sort(r.rep.Ideas)
	return nil
}

// idea erases the author of one idea the person proposed.
func (r *eraser) idea(i ideaRow, users []string) error {
	var votes int64
	if err := r.t.db.Model(&voteRow{}).Where("idea_id = ?", i.ID).Count(&votes).Error; err != nil {
		return mapErr("erase: count votes", err)
	}
	set := map[string]any{"author_name": core.FormerMember}
	if slices.Contains(users, i.OriginChat) {
		// Proposed in a private chat: its id is the person's.
		set["origin_chat"], set["origin_thread"], set["source_id"] = "", "", ""
	}
	if votes == 0 {
		set["title"], set["body"], set["message"] = r.e.Tombstone, "", ""
		set["hidden"], set["hide_reason"] = true, "erased"
	}
	if err := r.t.db.Model(&ideaRow{}).Where("id = ?", i.ID).Updates(set).Error; err != nil {
		return mapErr("erase: idea", err)
	}
	return r.exec("idea audit", "UPDATE audit_entries SET detail = '' WHERE object = ?", core.IdeaID(i.ID).String())
}

// person empties the contacts themselves: name, tags, profile, link codes,
// export links,
// merge history, answer credits, and the identities, whose deletion
// detaches the accounts.
func (r *eraser) person() error {
	for _, c := range []string{"contact_fields", "link_codes", "export_links", "identities"} {
		if err := r.exec(c, "DELETE FROM "+c+" WHERE contact_id IN ?", r.contacts); err != nil {
			return err
		}
	}
	if err := r.exec("merges", "DELETE FROM contact_merges WHERE from_id IN ? OR into_id IN ?", r.contacts, r.contacts); err != nil {
		return err
	}
	if err := r.exec("answer credits", "UPDATE answers SET credit_id = NULL, credit_name = '' WHERE credit_id IN ?", r.contacts); err != nil {
		return err
	}
	if err := r.exec("survey comments", "UPDATE surveys SET comment = '' WHERE contact_id IN ?", r.contacts); err != nil {
		return err
	}
	// What listening kept of what they said in the community's channels.
	if err := r.exec("signal messages", "DELETE FROM signal_messages WHERE contact_id IN ?", r.contacts); err != nil {
		return err
	}
	return r.exec("contacts", "UPDATE contacts SET name = '', tags = '[]', updated_at = ?, erased_at = coalesce(erased_at, ?) WHERE id IN ?",
		dbTime(r.at), dbTime(r.at), r.contacts)
}

// audit empties the details of the entries about what was erased (they
// may quote a name, a profile value, a title) and records the erase.
func (r *eraser) audit() error {
	objects := make([]string, 0, len(r.contacts)+len(r.convs))
	for _, c := range r.convs {
		objects = append(objects, core.ConversationID(c).String())
	}
	if len(r.e.Conversations) == 0 {
		for _, c := range r.contacts {
			objects = append(objects, core.ContactID(c).String())
		}
	}
	if err := r.exec("audit details", "UPDATE audit_entries SET detail = '' WHERE object IN ?", objects); err != nil {
		return err
	}
	object, detail := core.ContactID(r.contacts[0]).String(), "contact"
	if len(r.e.Conversations) > 0 {
		detail = fmt.Sprintf("%d conversations", len(r.convs))
	}
	return r.t.Audit(core.AuditEntry{At: r.at, Actor: r.e.Actor, Action: "privacy.erase", Object: object, Detail: detail})
}

// ClosedBefore reads conversations through the closed_at index.
func (t *tx) ClosedBefore(before time.Time, limit int) ([]core.Conversation, error) {
	var rs []conversationRow
	err := t.db.Where("closed_at IS NOT NULL AND closed_at < ? AND erased_at IS NULL AND status = ?", dbTime(before), string(core.StatusClosed)).
		Order("closed_at, id").Limit(limit).Find(&rs).Error
	if err != nil {
		return nil, mapErr("closed before", err)
	}
	out := make([]core.Conversation, len(rs))
	for i, r := range rs {
		c, err := toCoreConversation(r)
		if err != nil {
			return nil, fmt.Errorf("closed before: %w", err)
		}
		out[i] = c
	}
	return out, nil
}

// CommentsBy joins the comments to the contact's accounts.
func (t *tx) CommentsBy(contact core.ContactID) ([]core.IdeaComment, error) {
	var rs []commentRow
	err := t.db.Raw(`SELECT c.* FROM idea_comments c JOIN identities i ON i.platform = c.platform AND i.user_id = c.user_id
		WHERE i.contact_id = ? ORDER BY c.id`, int64(contact)).Scan(&rs).Error
	if err != nil {
		return nil, mapErr("comments by", err)
	}
	out := make([]core.IdeaComment, len(rs))
	for i, r := range rs {
		out[i] = core.IdeaComment{ID: r.ID, Idea: core.IdeaID(r.IdeaID), Author: r.Author, AuthorName: r.AuthorName, UserID: r.UserID,
			Text: r.Text, Platform: core.PlatformName(r.Platform), Chat: r.Chat, PlatformID: r.PlatformID, At: fromDBTime(r.At)}
	}
	return out, nil
}

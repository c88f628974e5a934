package core

import (
	"fmt"
	"time"
)

// Tombstone is the text an erased message keeps: it says that something
// was there and when it went, and nothing of what it said.
func Tombstone(at time.Time) string {
	return fmt.Sprintf("(erased at the person's request on %s)", at.UTC().Format("2006-01-02"))
}

// FormerMember is how an erased person is shown where their work stays,
// such as an idea other people voted for.
const FormerMember = "a former member"

// Erasure says how to erase a contact: the text left in place of each
// message, who asked, and when.
type Erasure struct {
	// Tombstone replaces the text of every message of the contact's
	// conversations (see Tombstone).
	Tombstone string
	// Actor is who erased ("staff:<id>", "contact:<id>", "retention",
	// "api:<token name>"): the audit entry keeps it.
	Actor string
	// At is when; the store clock's now when zero.
	At time.Time
	// Conversations, when not empty, limits the erase to these
	// conversations of the contact (retention): the contact itself,
	// its identities, votes and comments stay.
	Conversations []ConversationID
}

// EraseReport is what an erase changed, for the platform effects the
// caller queues in the same transaction.
type EraseReport struct {
	// Contacts are the contacts erased: the one asked for and any merged
	// into it.
	Contacts []ContactID
	// Conversations are the conversations whose messages were erased.
	Conversations []ConversationID
	// DeskCopies are the messages cornershop had copied into a desk
	// thread (refs on the desk side it posted): their copies must be
	// edited to the tombstone.
	DeskCopies []MessageID
	// Files are the file store keys of the erased messages' attachments,
	// to delete from the store once the erase is committed.
	Files []string
	// Ideas are the ideas whose card changed: the person's own (author
	// now FormerMember, or hidden when nobody else voted) and those whose
	// votes or comments were removed.
	Ideas []IdeaID
}

// PrivacyTx is the part of a transaction that erases a person's records.
type PrivacyTx interface {
	// EraseContact erases contact id in the database, in this
	// transaction: every message of its conversations becomes e.Tombstone
	// (author names and attachments gone), its name, tags and profile go,
	// its identities are deleted (the same account writing again starts a
	// new contact), its votes and comments are removed (ideas count
	// again), ideas it proposed lose their author (and are hidden with a
	// tombstone title when no one else voted), and every other table that
	// kept its text or platform ids (webhook events, answer suggestions
	// and misses, survey comments, handled request keys, delivery errors,
	// merge history, audit details, the full-text indexes) is cleared.
	// It records one audit entry "privacy.erase" with e.Actor and nothing
	// personal. Erasing an erased contact again changes nothing more and
	// succeeds. ErrNotFound for an unknown contact.
	EraseContact(id ContactID, e Erasure) (EraseReport, error)
	// CommentsBy lists the idea comments written from any account of
	// contact, oldest first (export).
	CommentsBy(contact ContactID) ([]IdeaComment, error)
	// ClosedBefore lists conversations closed before before and not yet
	// erased, oldest first, at most limit (retention).
	ClosedBefore(before time.Time, limit int) ([]Conversation, error)
	// SaveExportLink stores a one-time export download link (ErrDuplicate
	// when its hash is taken) and forgets links that expired before
	// l.CreatedAt.
	SaveExportLink(l ExportLink) error
	// UseExportLink marks the link whose token hashes to hash used at now
	// and returns it with used true, once: a link already used or expired
	// at now is returned unchanged with used false (concurrent callers,
	// on any replica, cannot both use it). ErrNotFound for an unknown
	// hash.
	UseExportLink(hash string, now time.Time) (l ExportLink, used bool, err error)
}

// ExportLink is a one-time link to download a contact's export archive.
// The link's token is never kept: only its SHA-256 (Hash, hex).
type ExportLink struct {
	Hash      string
	Contact   ContactID
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is when the archive was downloaded; zero until then.
	UsedAt time.Time
}

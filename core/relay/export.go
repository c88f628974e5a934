package relay

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"cornershop/core"
)

// exportPlatform marks the attachment of a desk note that carries a
// contact's export: its Ref is the contact's number, and the archive is
// built when the note is delivered (nothing personal waits on disk).
const exportPlatform core.PlatformName = "cornershop-export"

// Export is everything cornershop holds about one contact, as the
// archive's person.json holds it.
type Export struct {
	ExportedAt    time.Time
	Contact       core.Contact
	Profile       []core.Field
	Conversations []ExportedConversation
	// Ideas are the ideas they proposed or voted for.
	Ideas    []core.Idea
	Comments []core.IdeaComment
	// Listened are their messages in the community's channels that a
	// listening rule kept (docs/listening.md).
	Listened []core.SignalMessage
	// Audit are the entries about the contact and its conversations.
	Audit []core.AuditEntry
	// Files lists the archive's files/ entries, and the attachments that
	// could not be fetched with the reason.
	Files []ExportedFile
}

// ExportedConversation is one conversation with its messages.
type ExportedConversation struct {
	core.Conversation
	Messages []core.Message
}

// ExportedFile is one attachment in the archive (Path) or missing from it
// (Missing says why).
type ExportedFile struct {
	Message core.MessageID
	core.Attachment
	Path    string `json:",omitempty"`
	Missing string `json:",omitempty"`
}

// exportAll is the limit that lists everything.
const exportAll = 1 << 30

// collect reads a contact's records in tx.
func collect(tx core.Tx, id core.ContactID, now time.Time) (Export, error) {
	x := Export{ExportedAt: now.UTC()}
	var err error
	if x.Contact, err = tx.Contact(id); err != nil {
		return x, fmt.Errorf("export: %w", err)
	}
	if x.Profile, err = tx.ContactFields(id); err != nil {
		return x, fmt.Errorf("export: profile: %w", err)
	}
	if x.Audit, err = tx.AuditEntries(id.String(), exportAll); err != nil {
		return x, fmt.Errorf("export: audit: %w", err)
	}
	convs, err := tx.Conversations(id, exportAll)
	if err != nil {
		return x, fmt.Errorf("export: conversations: %w", err)
	}
	for i := len(convs) - 1; i >= 0; i-- { // oldest first
		c := ExportedConversation{Conversation: convs[i]}
		if c.Messages, err = tx.Messages(c.ID); err != nil {
			return x, fmt.Errorf("export: messages: %w", err)
		}
		es, err := tx.AuditEntries(c.ID.String(), exportAll)
		if err != nil {
			return x, fmt.Errorf("export: audit: %w", err)
		}
		x.Audit = append(x.Audit, es...)
		x.Conversations = append(x.Conversations, c)
	}
	if x.Ideas, err = tx.IdeasOf(id, exportAll); err != nil {
		return x, fmt.Errorf("export: ideas: %w", err)
	}
	if x.Comments, err = tx.CommentsBy(id); err != nil {
		return x, fmt.Errorf("export: comments: %w", err)
	}
	if x.Listened, err = tx.ContactSignalMessages(id); err != nil {
		return x, fmt.Errorf("export: listened: %w", err)
	}
	return x, nil
}

// Export writes the archive of contact id to w: a zip holding person.json
// (Export, indented) and files/ with every attachment the platforms still
// give (one they do not is listed in person.json with the reason). It
// reads in one transaction; ErrNotFound for an unknown contact.
func (s *Service) Export(ctx context.Context, id core.ContactID, w io.Writer) error {
	return s.export(ctx, w, func(core.Tx, time.Time) (core.ContactID, error) { return id, nil })
}

// export writes the archive of the contact who returns, in the
// transaction that reads the records: who may refuse (and roll back).
func (s *Service) export(ctx context.Context, w io.Writer, who func(tx core.Tx, now time.Time) (core.ContactID, error)) error {
	var x Export
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		now := s.now()
		id, err := who(tx, now)
		if err != nil {
			return err
		}
		x, err = collect(tx, id, now)
		return err
	})
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	for _, c := range x.Conversations {
		for _, m := range c.Messages {
			for i, a := range m.Attachments {
				if a.Platform == exportPlatform {
					continue // an earlier export, not the person's
				}
				f := ExportedFile{Message: m.ID, Attachment: a}
				p := fmt.Sprintf("files/%d-%d-%s", m.ID, i, safeName(a.Name))
				if err := s.exportFile(ctx, z, p, a); err != nil {
					f.Missing = reason(err)
				} else {
					f.Path = p
				}
				x.Files = append(x.Files, f)
			}
		}
	}
	doc, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return fmt.Errorf("export: encode: %w", err)
	}
	pw, err := z.Create("person.json")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := pw.Write(doc); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// exportFile copies one attachment from its platform into the archive.
func (s *Service) exportFile(ctx context.Context, z *zip.Writer, name string, a core.Attachment) error {
	open := s.openFile(a)
	if open == nil {
		if a.Missing != "" {
			return errors.New(a.Missing)
		}
		return fmt.Errorf("%s files cannot be fetched", a.Platform)
	}
	rc, err := open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	fw, err := z.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(fw, rc)
	return err
}

// safeName keeps an attachment's name usable as a path in the archive.
func safeName(n string) string {
	n = path.Base(strings.ReplaceAll(n, "\\", "/"))
	if n == "." || n == "/" || n == ".." || n == "" {
		return "file"
	}
	return n
}

// cmdExport is `!privacy export`: a desk note carrying the contact's
// archive as a file, built when the note is delivered.
func cmdExport(c *invocation) (string, error) {
	me := c.conv.ContactID
	msg := fmt.Sprintf("📦 Export of contact %d, asked for by %s: everything cornershop holds about them.", me, c.staff.Voice.Name)
	m := core.Message{ConversationID: c.conv.ID, Direction: core.System, Author: "system", Text: msg, CreatedAt: c.now,
		Attachments: []core.Attachment{{Kind: core.KindFile, Name: fmt.Sprintf("contact-%d-export.zip", me), ContentType: "application/zip",
			Platform: exportPlatform, Ref: strconv.FormatInt(int64(me), 10)}}}
	if err := c.tx.CreateMessage(&m); err != nil {
		return "", fmt.Errorf("record export note: %w", err)
	}
	if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: "privacy.export", Object: me.String()}); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	return msg, c.s.enqueue(c.tx, core.Delivery{Key: fmt.Sprintf("send:desk:%d", m.ID), ConversationID: c.conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: c.conv.Desk.Platform})
}

// exportAttachment builds the archive an export note carries, in memory
// (its size decides whether the platform takes it as a file).
func (s *Service) exportAttachment(ctx context.Context, a core.Attachment) core.File {
	f := core.File{Attachment: a}
	id, err := strconv.ParseInt(a.Ref, 10, 64)
	if err != nil {
		return f
	}
	var buf bytes.Buffer
	if err := s.Export(ctx, core.ContactID(id), &buf); err != nil {
		s.log.Warn("relay: export not built", "contact", id, "err", err)
		return f
	}
	f.Size = int64(buf.Len())
	b := buf.Bytes()
	f.Open = func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return f
}

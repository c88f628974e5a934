package relay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"cornershop/core"
)

// defaultFileLimit is the largest attachment copied into the file store
// when Config.FileSizeLimit is zero.
const defaultFileLimit = 50 << 20

// fileKey names an attachment in the file store: the same platform
// message gives the same key, so a redelivered event overwrites its copy
// instead of adding one.
func fileKey(e core.MessageEvent, i int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%d", e.Place.Platform, e.Place.Chat, e.ID, i))
	return hex.EncodeToString(h[:20])
}

// keepFiles copies a message's attachments from their platform into the
// file store before the message is recorded (a download must not hold a
// transaction open), noting on each where it is kept or why it could not
// be fetched. Without a file store it changes nothing.
func (s *Service) keepFiles(ctx context.Context, e core.MessageEvent) core.MessageEvent {
	if s.cfg.Files == nil || len(e.Attachments) == 0 {
		return e
	}
	limit := s.cfg.FileSizeLimit
	if limit <= 0 {
		limit = defaultFileLimit
	}
	atts := make([]core.Attachment, len(e.Attachments))
	for i, a := range e.Attachments {
		atts[i] = s.keepFile(ctx, a, fileKey(e, i), limit)
	}
	e.Attachments = atts
	return e
}

func (s *Service) keepFile(ctx context.Context, a core.Attachment, key string, limit int64) core.Attachment {
	if a.Size > limit {
		a.Missing = fmt.Sprintf("larger than the %d MB the file store takes", limit>>20)
		return a
	}
	dl, ok := s.platforms[a.Platform].(core.Downloader)
	if !ok {
		a.Missing = fmt.Sprintf("%s gives no access to the file", a.Platform)
		return a
	}
	rc, err := dl.Download(ctx, a)
	if err != nil {
		a.Missing = reason(err)
		return a
	}
	defer rc.Close()
	sf, err := s.cfg.Files.Put(ctx, key, rc, limit)
	switch {
	case errors.Is(err, core.ErrTooLarge):
		a.Missing = fmt.Sprintf("larger than the %d MB the file store takes", limit>>20)
	case err != nil:
		s.log.Warn("relay: file not kept", "platform", a.Platform, "err", err)
		a.Missing = "the file store failed: " + reason(err)
	default:
		a.Stored, a.SHA256, a.Size = sf.Key, sf.SHA256, sf.Size
		if a.ContentType == "" {
			a.ContentType = sf.ContentType
		}
	}
	return a
}

// openFile is how a delivery or an export reads an attachment: from the
// file store when it was kept there, else from its platform; nil when
// neither can give it.
func (s *Service) openFile(a core.Attachment) func(ctx context.Context) (io.ReadCloser, error) {
	if a.Stored != "" && s.cfg.Files != nil {
		return func(ctx context.Context) (io.ReadCloser, error) { return s.cfg.Files.Open(ctx, a.Stored) }
	}
	if dl, ok := s.platforms[a.Platform].(core.Downloader); ok {
		return func(ctx context.Context) (io.ReadCloser, error) { return dl.Download(ctx, a) }
	}
	return nil
}

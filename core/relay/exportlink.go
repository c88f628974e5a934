package relay

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cornershop/core"
)

// defaultExportLinkTTL is how long a one-time export link works unless
// Privacy.ExportLinkTTL says otherwise.
const defaultExportLinkTTL = time.Hour

// exportLinkPath is where the public HTTP port serves export links.
const exportLinkPath = "/export/"

// exportLinkActor is the audit actor of a link's creation and download.
const exportLinkActor = "export-link"

// exportDelivery is what an export note carries to target: the archive as
// a file when the desk platform takes a file that large, else (when
// PublicURL is set) the text of a one-time download link and no file.
// The archive is built now, to learn its size; the link's download builds
// it again, so nothing personal waits on disk.
func (s *Service) exportDelivery(ctx context.Context, target core.Place, a core.Attachment) (core.File, string) {
	f := s.exportAttachment(ctx, a)
	lim, ok := s.platforms[target.Platform].(core.UploadLimiter)
	if !ok || f.Open == nil || f.Size <= lim.UploadLimit() {
		return f, ""
	}
	too := fmt.Sprintf("The archive (%s) is larger than %s takes (%s)", size(f.Size), target.Platform, size(lim.UploadLimit()))
	if s.cfg.PublicURL == "" {
		return core.File{}, "🔗 " + too + ", and no http.public_url is set for a download link: use GET /api/v1/contacts/" + a.Ref + "/export."
	}
	url, ttl, err := s.exportLink(ctx, a)
	if err != nil {
		s.log.Warn("relay: export link not made", "contact", a.Ref, "err", err)
		return core.File{}, "🔗 " + too + ", and the download link could not be made: use GET /api/v1/contacts/" + a.Ref + "/export."
	}
	return core.File{}, fmt.Sprintf("🔗 %s. Download it once, within %s: %s", too, humanTTL(ttl), url)
}

// exportLink makes a one-time link to the export of the contact a names:
// a random token of 256 bits, of which only the SHA-256 is stored, with
// the link's creation audited in the same transaction.
func (s *Service) exportLink(ctx context.Context, a core.Attachment) (string, time.Duration, error) {
	contact, err := parseContactRef(a.Ref)
	if err != nil {
		return "", 0, err
	}
	ttl := s.cfg.Privacy.ExportLinkTTL
	if ttl <= 0 {
		ttl = defaultExportLinkTTL
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails
	token := hex.EncodeToString(raw[:])
	now := s.now()
	l := core.ExportLink{Hash: tokenHash(token), Contact: contact, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err = s.commit.quiet(ctx, func(tx core.Tx) error {
		if err := tx.SaveExportLink(l); err != nil {
			return fmt.Errorf("save export link: %w", err)
		}
		return tx.Audit(core.AuditEntry{At: now, Actor: exportLinkActor, Action: "privacy.export_link", Object: contact.String(),
			Detail: "one-time download link, expires " + l.ExpiresAt.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return "", 0, err
	}
	return strings.TrimRight(s.cfg.PublicURL, "/") + exportLinkPath + token, ttl, nil
}

// parseContactRef reads the contact number an export note's attachment
// carries.
func parseContactRef(ref string) (core.ContactID, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("export note names no contact (%q): %w", ref, core.ErrInvalid)
	}
	return core.ContactID(id), nil
}

// tokenHash is what the store keeps of a link's token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validToken reports whether s has a link token's shape (64 lowercase
// hex digits), so nothing else reaches the store.
func validToken(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// size says a size in bytes, KB or MB.
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// humanTTL says a link's lifetime: "1 hour", "90 minutes".
func humanTTL(d time.Duration) string {
	if d%time.Hour == 0 {
		if h := int(d / time.Hour); h != 1 {
			return fmt.Sprintf("%d hours", h)
		}
		return "1 hour"
	}
	return fmt.Sprintf("%d minutes", int(d.Round(time.Minute)/time.Minute))
}

// Export link refusals, as the download page says them.
var (
	errLinkUnknown = errors.New("this download link is unknown or has expired")
	errLinkUsed    = errors.New("this download link has been used already: it works once; ask for a new export")
	errLinkExpired = errors.New("this download link has expired: ask for a new export")
)

// ExportLinkHandler serves the one-time export links, GET
// /export/{token}: the first request for a link that has not expired
// marks it used and streams the contact's archive, built then, in the
// transaction that marked it (so a failure to read the records leaves
// the link unused); every later request, an expired link and an unknown
// token get 410 or 404 with a plain message. The token is never logged.
func (s *Service) ExportLinkHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.URL.Path, exportLinkPath)
		if v := r.PathValue("token"); v != "" {
			token = v
		}
		if !validToken(token) {
			refuse(w, http.StatusNotFound, errLinkUnknown)
			return
		}
		hash := tokenHash(token)
		out := &lazyHeader{w: w}
		err := s.export(r.Context(), out, func(tx core.Tx, now time.Time) (core.ContactID, error) {
			l, used, err := tx.UseExportLink(hash, now)
			switch {
			case errors.Is(err, core.ErrNotFound):
				return 0, errLinkUnknown
			case err != nil:
				return 0, err
			case !used && !l.UsedAt.IsZero():
				return 0, errLinkUsed
			case !used:
				return 0, errLinkExpired
			}
			out.name = fmt.Sprintf("contact-%d-export.zip", l.Contact)
			return l.Contact, tx.Audit(core.AuditEntry{At: now, Actor: exportLinkActor, Action: "privacy.export_download", Object: l.Contact.String(),
				Detail: "archive downloaded through its one-time link"})
		})
		switch {
		case err == nil:
			s.log.Info("relay: export downloaded through its link", "file", out.name)
		case errors.Is(err, errLinkUnknown):
			refuse(w, http.StatusNotFound, err)
		case errors.Is(err, errLinkUsed), errors.Is(err, errLinkExpired):
			refuse(w, http.StatusGone, err)
		case out.started:
			s.log.Warn("relay: export download cut off", "file", out.name, "err", err)
			panic(http.ErrAbortHandler) // the client must see a broken download, not a short zip
		default:
			s.log.Warn("relay: export download failed", "err", err)
			refuse(w, http.StatusInternalServerError, errors.New("the archive could not be built; the link was not used, try again"))
		}
	})
}

// refuse answers a download link request with a plain message.
func refuse(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, upperFirst(err.Error())+".", status)
}

// upperFirst capitalises s's first letter.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// lazyHeader sends the archive's headers with its first byte, so an error
// before it can still answer with an error status.
type lazyHeader struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (l *lazyHeader) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		h := l.w.Header()
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", l.name))
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

var _ io.Writer = (*lazyHeader)(nil)

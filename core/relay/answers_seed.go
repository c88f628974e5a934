package relay

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"cornershop/core"
)

// SeedResult counts what SeedAnswers did.
type SeedResult struct {
	Added, Updated, Unchanged int
}

// SeedAnswers publishes the Markdown files (*.md) at the top of fsys as
// answers, idempotently by slug: a new slug is added, a known one updated
// when its title, body or tags changed, and left alone otherwise. Each
// change is audited as done by "seed". Files are read in name order; one
// that cannot be parsed fails the whole seeding before anything is written.
func (s *Service) SeedAnswers(ctx context.Context, fsys fs.FS) (SeedResult, error) {
	var res SeedResult
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return res, fmt.Errorf("seed answers: %w", err)
	}
	slices.Sort(names)
	var as []core.Answer
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return res, fmt.Errorf("seed answers: %w", err)
		}
		a, err := ParseAnswerFile(name, string(b))
		if err != nil {
			return res, fmt.Errorf("seed answers: %w", err)
		}
		as = append(as, a)
	}
	err = s.store.InTx(ctx, func(tx core.Tx) error {
		res = SeedResult{}
		now := s.now()
		for _, a := range as {
			old, err := tx.AnswerBySlug(a.Slug)
			switch {
			case errors.Is(err, core.ErrNotFound):
				a.Author, a.AuthorName, a.CreatedAt = "seed", s.cfg.Team.Name, now
				if err := tx.CreateAnswer(&a); err != nil {
					return fmt.Errorf("add %s: %w", a.Slug, err)
				}
				res.Added++
				if err := tx.Audit(core.AuditEntry{At: now, Actor: "seed", Action: "answer.seed.add", Object: a.ID.String(), Detail: a.Slug}); err != nil {
					return fmt.Errorf("audit: %w", err)
				}
			case err != nil:
				return fmt.Errorf("look up %s: %w", a.Slug, err)
			case old.Title == a.Title && old.Body == a.Body && slices.Equal(old.Tags, a.Tags):
				res.Unchanged++
			default:
				if err := tx.UpdateAnswer(old.ID, core.AnswerPatch{Title: &a.Title, Body: &a.Body, Tags: &a.Tags}, now); err != nil {
					return fmt.Errorf("update %s: %w", a.Slug, err)
				}
				res.Updated++
				if err := tx.Audit(core.AuditEntry{At: now, Actor: "seed", Action: "answer.seed.update", Object: old.ID.String(), Detail: a.Slug}); err != nil {
					return fmt.Errorf("audit: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return SeedResult{}, fmt.Errorf("seed answers: %w", err)
	}
	return res, nil
}

// ParseAnswerFile reads one Markdown answer. Optional front matter between
// "---" lines sets title, slug and tags ("tags: a, b" or "tags: [a, b]");
// without a title there, the first "# Title" line is the title (and is not
// part of the body). The slug defaults to the title's (core.Slugify) and,
// failing that, the file's name. ErrInvalid when there is no title or body.
func ParseAnswerFile(name, text string) (core.Answer, error) {
	text = strings.ReplaceAll(strings.TrimPrefix(text, "\ufeff"), "\r\n", "\n")
	var a core.Answer
	if rest, ok := strings.CutPrefix(text, "---\n"); ok {
		front, body, found := strings.Cut(rest, "\n---")
		if !found {
			return a, fmt.Errorf("%s: front matter never ends: %w", name, core.ErrInvalid)
		}
		text = strings.TrimPrefix(strings.TrimPrefix(body, "-"), "\n")
		for _, line := range strings.Split(front, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			v = strings.Trim(strings.TrimSpace(v), `"'`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "title":
				a.Title = v
			case "slug":
				a.Slug = core.Slugify(v)
			case "tags":
				for _, t := range strings.Split(strings.Trim(v, "[]"), ",") {
					if t = strings.Trim(strings.TrimSpace(t), `"'`); t != "" {
						a.Tags = append(a.Tags, t)
					}
				}
			}
		}
	}
	text = strings.TrimSpace(text)
	if a.Title == "" {
		first, rest, _ := strings.Cut(text, "\n")
		if t, ok := strings.CutPrefix(first, "# "); ok {
			a.Title, text = strings.TrimSpace(t), strings.TrimSpace(rest)
		}
	}
	a.Body = text
	if a.Slug == "" {
		a.Slug = core.Slugify(a.Title)
	}
	if a.Slug == "" {
		a.Slug = core.Slugify(strings.TrimSuffix(path.Base(name), ".md"))
	}
	if a.Title == "" || a.Body == "" {
		return a, fmt.Errorf("%s: an answer needs a title (front matter or a first \"# Title\" line) and a body: %w", name, core.ErrInvalid)
	}
	return a, nil
}

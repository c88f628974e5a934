package storetest

import (
	"slices"
	"testing"
	"time"

	"cornershop/core"
)

// answerCorpus is what the ranking cases search. Both engines must rank it
// the same way for every case in rankingCases.
var answerCorpus = []core.Answer{
	{Slug: "refunds", Title: "Refunds", Body: "To get your money back open Orders, choose the order and press Refund. Refunds take five days."},
	{Slug: "shipping-times", Title: "Shipping times", Body: "Orders ship within two days; international delivery takes up to ten days."},
	{Slug: "reset-your-password", Title: "Reset your password", Body: "Open Settings, then Security, and choose Reset password. A link arrives by email."},
	{Slug: "cancel-an-order", Title: "Cancel an order", Body: "You can cancel an order before it ships from the Orders page; the refund follows by itself."},
	{Slug: "change-delivery-address", Title: "Change the delivery address", Body: "Write to us before shipping and we update the address."},
}

// rankingCases are searches and the slugs they must find first, in order
// (want is a prefix of the result; none means nothing at all).
var rankingCases = []struct {
	name     string
	query    string
	relevant bool
	want     []string
	none     bool
}{
	{name: "title above body", query: "refund", want: []string{"refunds", "cancel-an-order"}},
	{name: "stemmed plural", query: "refunds", want: []string{"refunds", "cancel-an-order"}},
	{name: "question with stop words", query: "How do I get a refund?", want: []string{"refunds"}},
	{name: "two words", query: "password reset", want: []string{"reset-your-password"}},
	{name: "title word", query: "shipping", want: []string{"shipping-times"}},
	{name: "address", query: "delivery address", want: []string{"change-delivery-address"}},
	{name: "unknown word", query: "xyzzy", none: true},
	{name: "only punctuation", query: `"*)( -- :`, none: true},
	{name: "fts5 syntax is text", query: `refund" OR body:* NEAR(x`, want: []string{"refunds"}},
	{name: "tsquery syntax is text", query: `refund & !(x | y):*`, want: []string{"refunds"}},
	{name: "negation is a word", query: "-refund", want: []string{"refunds"}},
	{name: "relevant title match", query: "refund", relevant: true, want: []string{"refunds"}},
	{name: "body-only word is not relevant", query: "days", relevant: true, none: true},
	{name: "long message with a title word", query: "Hello, I ordered shoes last week and they are too small, I would like a refund please", relevant: true, want: []string{"refunds"}},
	{name: "long message without one", query: "Hello, my parcel arrived broken and the box was wet, what now", relevant: true, none: true},
	{name: "body-only word is found", query: "days", want: []string{"shipping-times"}},
}

func slugs(hs []core.AnswerHit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Answer.Slug
	}
	return out
}

func createAnswers(tb testing.TB, s core.Store, as []core.Answer) []core.Answer {
	tb.Helper()
	out := slices.Clone(as)
	inTx(tb, s, func(tx core.Tx) error {
		for i := range out {
			out[i].Author, out[i].AuthorName, out[i].CreatedAt = "staff:ana", "Ana", T0
			if err := tx.CreateAnswer(&out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out
}

func search(tb testing.TB, s core.Store, q core.AnswerQuery) []core.AnswerHit {
	tb.Helper()
	var hs []core.AnswerHit
	inTx(tb, s, func(tx core.Tx) error {
		var err error
		hs, err = tx.SearchAnswers(q)
		return err
	})
	return hs
}

// testAnswerRanking runs the ranking cases: the database's own engine,
// the title above the body, stemming, stop words, the relevance threshold
// and user text that must never break the query syntax.
func testAnswerRanking(t *testing.T, s core.Store) {
	createAnswers(t, s, answerCorpus)
	for _, tc := range rankingCases {
		t.Run(tc.name, func(t *testing.T) {
			hs := search(t, s, core.AnswerQuery{Text: tc.query, Relevant: tc.relevant, Limit: 5})
			got := slugs(hs)
			for _, h := range hs {
				t.Logf("%s %.4f", h.Answer.Slug, h.Score)
			}
			if tc.none {
				if len(got) != 0 {
					t.Fatalf("search %q = %v, want nothing", tc.query, got)
				}
				return
			}
			if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
				t.Fatalf("search %q = %v, want it to start with %v", tc.query, got, tc.want)
			}
			for i := 1; i < len(hs); i++ {
				if hs[i].Score > hs[i-1].Score {
					t.Fatalf("search %q: scores not descending: %v", tc.query, hs)
				}
			}
		})
	}
}

// testAnswers checks keeping answers: slugs unique, edits reindexed,
// deletes gone from search, counters, suggestions once per conversation
// and decided once, misses counted and stats.
func testAnswers(t *testing.T, s core.Store) {
	as := createAnswers(t, s, answerCorpus[:2])
	inTx(t, s, func(tx core.Tx) error {
		dup := core.Answer{Slug: "refunds", Title: "Other"}
		wantErr(t, "duplicate slug", tx.CreateAnswer(&dup), core.ErrDuplicate)
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.AnswerBySlug("refunds")
		wantErr(t, "AnswerBySlug", err, nil)
		if got.ID != as[0].ID || got.Title != "Refunds" || got.AuthorName != "Ana" || !got.CreatedAt.Equal(T0) {
			t.Fatalf("AnswerBySlug = %+v", got)
		}
		title, tags := "Money back", []string{"billing", "orders"}
		wantErr(t, "UpdateAnswer", tx.UpdateAnswer(as[0].ID, core.AnswerPatch{Title: &title, Tags: &tags}, T0.Add(time.Hour)), nil)
		wantErr(t, "CountAnswer", tx.CountAnswer(as[0].ID, core.AnswerHelped), nil)
		wantErr(t, "CountAnswer", tx.CountAnswer(as[0].ID, core.AnswerShown), nil)
		_, err = tx.Answer(999999)
		wantErr(t, "Answer unknown", err, core.ErrNotFound)
		return nil
	})
	if got := slugs(search(t, s, core.AnswerQuery{Text: "money back"})); len(got) == 0 || got[0] != "refunds" {
		t.Fatalf("search after retitle = %v", got)
	}
	inTx(t, s, func(tx core.Tx) error {
		a, err := tx.Answer(as[0].ID)
		wantErr(t, "Answer", err, nil)
		if !slices.Equal(a.Tags, []string{"billing", "orders"}) || a.Helped != 1 || a.Shown != 1 || !a.UpdatedAt.Equal(T0.Add(time.Hour)) {
			t.Fatalf("Answer after update = %+v", a)
		}
		list, err := tx.Answers(0)
		wantErr(t, "Answers", err, nil)
		if len(list) != 2 || list[0].Title != "Money back" {
			t.Fatalf("Answers = %+v", list)
		}
		return tx.DeleteAnswer(as[1].ID)
	})
	if got := search(t, s, core.AnswerQuery{Text: "shipping"}); len(got) != 0 {
		t.Fatalf("search after delete = %v", slugs(got))
	}

	w := seed(t, s)
	inTx(t, s, func(tx core.Tx) error {
		m := message(t, tx, w.conv.ID, "suggested")
		sg := core.Suggestion{Conversation: w.conv.ID, Message: m.ID, Answers: []core.AnswerID{as[0].ID}, CreatedAt: T0}
		wantErr(t, "CreateSuggestion", tx.CreateSuggestion(&sg), nil)
		again := core.Suggestion{Conversation: w.conv.ID, Message: m.ID, CreatedAt: T0}
		wantErr(t, "second suggestion", tx.CreateSuggestion(&again), core.ErrDuplicate)
		got, err := tx.SuggestionByMessage(m.ID)
		wantErr(t, "SuggestionByMessage", err, nil)
		if got.ID != sg.ID || !slices.Equal(got.Answers, sg.Answers) || got.Outcome != core.SuggestionPending {
			t.Fatalf("SuggestionByMessage = %+v", got)
		}
		ok, err := tx.DecideSuggestion(sg.ID, core.SuggestionSolved, T0.Add(time.Minute))
		wantErr(t, "DecideSuggestion", err, nil)
		ok2, err := tx.DecideSuggestion(sg.ID, core.SuggestionPerson, T0.Add(2*time.Minute))
		wantErr(t, "DecideSuggestion again", err, nil)
		if !ok || ok2 {
			t.Fatalf("DecideSuggestion = %v then %v, want true then false", ok, ok2)
		}
		got, err = tx.SuggestionFor(w.conv.ID)
		wantErr(t, "SuggestionFor", err, nil)
		if got.Outcome != core.SuggestionSolved || !got.DecidedAt.Equal(T0.Add(time.Minute)) {
			t.Fatalf("SuggestionFor = %+v", got)
		}
		for _, q := range []string{"Gift  cards", "gift cards", "warranty"} {
			wantErr(t, "RecordMiss", tx.RecordMiss(q, T0), nil)
		}
		st, err := tx.AnswerStats(T0.Add(-time.Hour), 5)
		wantErr(t, "AnswerStats", err, nil)
		if st.Suggested != 1 || st.SelfServed != 1 || st.Person != 0 {
			t.Fatalf("AnswerStats counts = %+v", st)
		}
		if len(st.Misses) != 2 || st.Misses[0] != (core.Miss{Query: "gift cards", Count: 2, Last: T0}) {
			t.Fatalf("AnswerStats misses = %+v", st.Misses)
		}
		if len(st.Helpful) != 1 || st.Helpful[0].ID != as[0].ID {
			t.Fatalf("AnswerStats helpful = %+v", st.Helpful)
		}
		return nil
	})
}

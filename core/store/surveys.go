package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"cornershop/core"
)

type surveyRow struct {
	ID             int64 `gorm:"primaryKey"`
	ConversationID int64
	ContactID      int64
	DeskPlatform   string
	DeskChat       string
	Staff          string
	SentAt         time.Time
	Rating         int
	RatedAt        *time.Time
	Comment        string
	CommentedAt    *time.Time
}

func (surveyRow) TableName() string { return "surveys" }

func toCoreSurvey(r surveyRow) core.Survey {
	return core.Survey{
		ID: core.SurveyID(r.ID), Conversation: core.ConversationID(r.ConversationID), Contact: core.ContactID(r.ContactID),
		Desk: core.Place{Platform: core.PlatformName(r.DeskPlatform), Chat: r.DeskChat}, Staff: core.StaffID(r.Staff),
		SentAt: fromDBTime(r.SentAt), Rating: r.Rating, RatedAt: fromDBNullTime(r.RatedAt), Comment: r.Comment, CommentedAt: fromDBNullTime(r.CommentedAt),
	}
}

func (t *tx) CreateSurvey(s *core.Survey) error {
	r := surveyRow{ConversationID: int64(s.Conversation), ContactID: int64(s.Contact), DeskPlatform: string(s.Desk.Platform), DeskChat: s.Desk.Chat,
		Staff: string(s.Staff), SentAt: dbTime(s.SentAt), Rating: s.Rating, RatedAt: dbNullTime(s.RatedAt), Comment: s.Comment, CommentedAt: dbNullTime(s.CommentedAt)}
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("create survey", err)
	}
	s.ID = core.SurveyID(r.ID)
	return nil
}

func (t *tx) latestSurvey(what, col string, id int64) (core.Survey, error) {
	var r surveyRow
	err := t.db.Where(col+" = ?", id).Order("id DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return core.Survey{}, core.ErrNotFound
	}
	if err != nil {
		return core.Survey{}, mapErr(what, err)
	}
	return toCoreSurvey(r), nil
}

func (t *tx) LatestSurvey(contact core.ContactID) (core.Survey, error) {
	if ra := t.ahead(); ra != nil {
		if sv, ok := ra.survey[int64(contact)]; ok {
			if sv == nil {
				return core.Survey{}, core.ErrNotFound
			}
			return *sv, nil
		}
	}
	return t.latestSurvey("latest survey", "contact_id", int64(contact))
}

func (t *tx) ConversationSurvey(conv core.ConversationID) (core.Survey, error) {
	return t.latestSurvey("conversation survey", "conversation_id", int64(conv))
}

func (t *tx) RateSurvey(id core.SurveyID, rating int, at time.Time) (bool, error) {
	res := t.db.Model(&surveyRow{}).Where("id = ? AND rating = 0", int64(id)).
		Updates(map[string]any{"rating": rating, "rated_at": dbTime(at)})
	if res.Error != nil {
		return false, mapErr("rate survey", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (t *tx) CommentSurvey(id core.SurveyID, comment string, at time.Time) error {
	err := t.db.Model(&surveyRow{}).Where("id = ?", int64(id)).
		Updates(map[string]any{"comment": comment, "commented_at": dbTime(at)}).Error
	return mapErr("comment survey", err)
}

func (t *tx) DeskSurveys(desk core.Place, since time.Time) ([]core.Survey, error) {
	var rs []surveyRow
	err := t.db.Where("desk_platform = ? AND desk_chat = ? AND sent_at >= ?", string(desk.Platform), desk.Chat, dbTime(since)).
		Order("id").Find(&rs).Error
	if err != nil {
		return nil, mapErr("desk surveys", err)
	}
	out := make([]core.Survey, len(rs))
	for i, r := range rs {
		out[i] = toCoreSurvey(r)
	}
	return out, nil
}

package wizard

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/secrets"
)

func smtpSession(t *testing.T) *Session {
	t.Helper()
	s := NewSession(nil, true)
	s.Provider = "other"
	script(t, s, smtpAnswers)
	return s
}

func TestBlockedCarriesRemedies(t *testing.T) {
	pw := "company.smtp.password"
	tests := []struct {
		name string
		set  func(s *Session)
		want []Remedy
	}{
		{"failed test with a field", func(s *Session) {
			s.RecordChecks(nil)
			s.RecordResult(providers.Result{Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthRejected, Field: pw}, Err: errors.New("535")})
		}, []Remedy{{Kind: RemedyFixField, Field: pw}, {Kind: RemedyRetry}}},
		{"failed test without a field", func(s *Session) {
			s.RecordChecks(nil)
			s.RecordResult(providers.Result{Diagnosis: &providers.Diagnosis{Code: providers.CodeSMTPRejected}, Err: errors.New("550")})
		}, []Remedy{{Kind: RemedyRetry}, {Kind: RemedyBack, Step: StatePrerequisites}}},
		{"failed check", func(s *Session) {
			s.RecordChecks([]providers.Check{{ID: "x", Diagnosis: &providers.Diagnosis{Code: providers.CodeConfigSharedMailbox}}})
		}, []Remedy{{Kind: RemedyBack, Step: StateChannel}}},
		{"action that could not run", func(s *Session) {
			s.RecordChecks(nil)
			s.RecordFailure(Action{Kind: ActionTest, State: StateTest}, DiagnosisOf(fmt.Errorf("resolve: %w", secrets.ErrUnavailable)))
		}, []Remedy{{Kind: RemedyRetry}, {Kind: RemedyBack, Step: StatePrerequisites}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := smtpSession(t)
			tt.set(s)
			st := next(s)
			if st.Blocked == nil {
				t.Fatalf("not blocked: %+v", st)
			}
			if !reflect.DeepEqual(st.Remedies, tt.want) {
				t.Fatalf("remedies %+v, want %+v", st.Remedies, tt.want)
			}
		})
	}
}

func TestApplyRemedies(t *testing.T) {
	s := smtpSession(t)
	s.RecordChecks(nil)
	s.RecordResult(providers.Result{Diagnosis: &providers.Diagnosis{Code: providers.CodeAuthRejected, Field: "company.smtp.password"}, Err: errors.New("535")})
	s.Apply(Remedy{Kind: RemedyRetry})
	if st := next(s); st.Action == nil || st.Action.Kind != ActionTest {
		t.Fatalf("after retry: %+v, want the test again", st)
	}
	s.RecordFailure(Action{Kind: ActionTest, State: StateTest}, DiagnosisOf(context.Canceled))
	if st := next(s); st.Blocked == nil || st.Blocked.Code != providers.CodeCanceled {
		t.Fatalf("failure not blocked: %+v", st)
	}
	s.Apply(Remedy{Kind: RemedyRetry})
	if st := next(s); st.Action == nil || st.Action.Kind != ActionTest {
		t.Fatalf("after retrying a failure: %+v", st)
	}
	s.Apply(Remedy{Kind: RemedyFixField, Field: "company.smtp.password"})
	if q := next(s).Question; q == nil || q.Key != "company.smtp.password" {
		t.Fatalf("fix field: %+v", q)
	}
	s.Apply(Remedy{Kind: RemedyBack, Step: StateChannel})
	if q := next(s).Question; q == nil || q.Key != "company.channel" || q.Value != "smtp" {
		t.Fatalf("back: %+v", q)
	}
}

func TestPrevIsTheMachines(t *testing.T) {
	s := NewSession(nil, true)
	if s.CanPrev() || s.Prev() {
		t.Fatal("prev before any answer")
	}
	for _, k := range []string{"company.address", "platform.account", "company.sender_name"} {
		if err := s.Answer(k, smtpAnswers[k]); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for _, q := range s.Answers() {
		keys = append(keys, q.Key)
	}
	if want := []string{"company.address", "platform.account", "company.sender_name"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("answers %v, want %v", keys, want)
	}
	if !s.Prev() {
		t.Fatal("prev refused")
	}
	if q := next(s).Question; q == nil || q.Key != "company.sender_name" || q.Value != "company" {
		t.Fatalf("after prev: %+v", q)
	}
	s.Prev()
	if q := next(s).Question; q == nil || q.Key != "platform.account" || q.Value != "acme" {
		t.Fatalf("after a second prev: %+v", q)
	}
	if !s.PrevStep(StateChannel) || s.CanPrev() {
		t.Fatalf("prev step to the first step left answers: %+v", s.Answers())
	}
	if s.PrevStep(StateForwarding) {
		t.Fatal("a step before the first")
	}
}

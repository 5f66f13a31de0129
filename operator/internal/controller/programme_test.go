package controller_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	nextstepv1alpha1 "github.com/nextstep-uk/nextstep/api/k8s/v1alpha1"
)

// The Programme's defaults are the CRD's, applied by the API server: the
// operator reads them, it does not restate them.
func TestProgrammeDefaultsComeFromTheCRD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := &nextstepv1alpha1.Programme{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "defaults"},
		Spec:       nextstepv1alpha1.ProgrammeSpec{AcademicYear: "2025/26", Schools: nextstepv1alpha1.SchoolSelector{URNs: []string{"100001"}}},
	}
	if err := k8sClient.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8sClient.Delete(context.Background(), p) })
	var got nextstepv1alpha1.Programme
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(p), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int32{7, 8, 9, 10, 11}, got.Spec.YearGroups); diff != "" {
		t.Errorf("yearGroups (-want +got):\n%s", diff)
	}
	if got.Spec.ResyncIntervalSeconds != 600 {
		t.Errorf("resyncIntervalSeconds = %v, want 600", got.Spec.ResyncIntervalSeconds)
	}
	if got.Spec.MaxClosePercent != 50 {
		t.Errorf("maxClosePercent = %v, want 50", got.Spec.MaxClosePercent)
	}
}

// What the defaults used to cover in Go, an empty year list or a resync
// of zero, the API server now refuses, as it does risk bands out of order.
func TestProgrammeRefusesWhatTheDefaultsCover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := map[string]struct {
		spec    map[string]any
		wantErr string
	}{
		"no year groups": {spec: map[string]any{"yearGroups": []any{}}, wantErr: "spec.yearGroups"},
		"a zero resync":  {spec: map[string]any{"resyncIntervalSeconds": 0}, wantErr: "spec.resyncIntervalSeconds"},
		"a negative one": {spec: map[string]any{"resyncIntervalSeconds": -60}, wantErr: "spec.resyncIntervalSeconds"},
		"risk bands out of order": {spec: map[string]any{"riskBands": map[string]any{"medium": 5, "high": 5}},
			wantErr: "riskBands.high must be above riskBands.medium"},
		"a risk band of zero": {spec: map[string]any{"riskBands": map[string]any{"medium": 0, "high": 5}}, wantErr: "spec.riskBands.medium"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			spec := map[string]any{"academicYear": "2025/26", "schools": map[string]any{"urns": []any{"100001"}}}
			for k, v := range tc.spec {
				spec[k] = v
			}
			u := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": nextstepv1alpha1.GroupVersion.String(), "kind": "Programme",
				"metadata": map[string]any{"namespace": "default", "name": "refused-" + strings.ReplaceAll(name, " ", "-")},
				"spec":     spec,
			}}
			err := k8sClient.Create(ctx, u)
			if err == nil {
				_ = k8sClient.Delete(context.Background(), u)
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("create: %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

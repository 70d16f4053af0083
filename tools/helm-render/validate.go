package main

// Strict validation of rendered objects against the Kubernetes API types (k8s.io/api, Debian's
// golang-k8s-api-dev): each object is decoded with sigs.k8s.io/json's strict mode, which is what the
// API server does for `kubectl apply --validate=strict` (fieldValidation=Strict): an unknown or
// duplicated field is an error. Type errors (a string where an integer belongs) fail the decode too.
// Kinds without Go types here (ServiceMonitor) are reported as "unchecked" for the caller to handle.

import (
	"encoding/json"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	kjson "sigs.k8s.io/json"
)

func newObject(apiVersion, kind string) interface{} {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}
	case "v1/Secret":
		return &corev1.Secret{}
	case "v1/Service":
		return &corev1.Service{}
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}
	case "batch/v1/Job":
		return &batchv1.Job{}
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "autoscaling/v2/HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}
	case "networking.k8s.io/v1/Ingress":
		return &networkingv1.Ingress{}
	case "networking.k8s.io/v1/NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "rbac.authorization.k8s.io/v1/Role":
		return &rbacv1.Role{}
	case "rbac.authorization.k8s.io/v1/RoleBinding":
		return &rbacv1.RoleBinding{}
	}
	return nil
}

type validation struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	Status string   `json:"status"` // "ok", "invalid" or "unchecked"
	Errors []string `json:"errors,omitempty"`
}

func validateMain(in io.Reader, out io.Writer) int {
	var objects []json.RawMessage
	if err := json.NewDecoder(in).Decode(&objects); err != nil {
		fmt.Fprintf(out, "helm-render validate: input is not a JSON array: %v\n", err)
		return 1
	}
	results := make([]validation, 0, len(objects))
	for _, raw := range objects {
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		_ = json.Unmarshal(raw, &meta)
		r := validation{Kind: meta.APIVersion + "/" + meta.Kind, Name: meta.Metadata.Name, Status: "ok"}
		target := newObject(meta.APIVersion, meta.Kind)
		if target == nil {
			r.Status = "unchecked"
			results = append(results, r)
			continue
		}
		strict, err := kjson.UnmarshalStrict(raw, target, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
		}
		for _, e := range strict {
			r.Errors = append(r.Errors, e.Error())
		}
		if len(r.Errors) > 0 {
			r.Status = "invalid"
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		return 1
	}
	return 0
}

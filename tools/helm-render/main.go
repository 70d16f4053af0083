// helm-render renders a Helm chart the way `helm template` does, for tests on machines without Helm:
// Go's text/template with sprig (the engine and function library Helm uses) plus Helm's own additions
// (include, tpl, required, toYaml, fromYaml, toJson, fromJson, lookup, .Values, .Release, .Chart,
// .Capabilities, .Files, .Template), following helm.sh/helm/v3/pkg/engine and pkg/chartutil.
//
//	helm-render template CHART [-f values.yaml]... [--set a.b=c]... [--name R] [--namespace N] [--kube-version 1.33.0]
//	    prints every rendered object as a JSON array of {"source": template, "object": {...}}
//	helm-render values CHART [-f values.yaml]... [--set a.b=c]...
//	    prints the merged values as JSON (what values.schema.json is checked against)
//	helm-render validate < objects.json
//	    decodes each object strictly into its Kubernetes API type (see validate.go)
//	helm-render yaml2json < doc.yaml
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"gopkg.in/yaml.v3"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "helm-render: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: helm-render template|values CHART [-f FILE]... [--set K=V]... | helm-render validate")
	}
	cmd := os.Args[1]
	if cmd == "validate" {
		os.Exit(validateMain(os.Stdin, os.Stdout))
	}
	if cmd == "yaml2json" {
		// For tests reading YAML a template embeds (the Synapse snippet), with the parser the chart uses.
		var v interface{}
		if err := yaml.NewDecoder(os.Stdin).Decode(&v); err != nil {
			fail("yaml2json: %v", err)
		}
		printJSON(v)
		return
	}
	var files, sets stringList
	name, namespace, kubeVersion := "release", "default", "1.33.0"
	chartDir := ""
	args := os.Args[2:]
	for i := 0; i < len(args); i++ {
		next := func() string {
			if i+1 >= len(args) {
				fail("%s needs a value", args[i])
			}
			i++
			return args[i]
		}
		switch args[i] {
		case "-f", "--values":
			files = append(files, next())
		case "--set":
			sets = append(sets, next())
		case "--name":
			name = next()
		case "--namespace", "-n":
			namespace = next()
		case "--kube-version":
			kubeVersion = strings.TrimPrefix(next(), "v")
		default:
			if strings.HasPrefix(args[i], "-") || chartDir != "" {
				fail("unexpected argument %q", args[i])
			}
			chartDir = args[i]
		}
	}
	if chartDir == "" {
		fail("no chart directory given")
	}
	chart := loadChart(chartDir)
	values := mergedValues(chartDir, files, sets)
	switch cmd {
	case "values":
		printJSON(values)
	case "template":
		objects, err := render(chartDir, chart, values, name, namespace, kubeVersion)
		if err != nil {
			fail("%v", err)
		}
		printJSON(objects)
	default:
		fail("unknown command %q", cmd)
	}
}

func printJSON(v interface{}) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fail("%v", err)
	}
}

// ---- chart and values ------------------------------------------------------------------------------

func readYAMLMap(path string) map[string]interface{} {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		fail("%s: %v", path, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return out
}

// loadChart exposes Chart.yaml the way Helm's chart.Metadata does: capitalised field names.
func loadChart(dir string) map[string]interface{} {
	raw := readYAMLMap(filepath.Join(dir, "Chart.yaml"))
	out := map[string]interface{}{}
	for k, v := range raw {
		key := strings.ToUpper(k[:1]) + k[1:]
		if k == "apiVersion" {
			key = "APIVersion"
		}
		out[key] = v
	}
	for _, k := range []string{"Name", "Version", "AppVersion", "Description", "Type"} {
		if _, ok := out[k]; !ok {
			out[k] = ""
		}
	}
	return out
}

// coalesce merges src over dst as Helm does for -f files: maps merge recursively, anything else is
// replaced, and a null removes the key.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	for k, sv := range src {
		if sv == nil {
			delete(dst, k)
			continue
		}
		sm, sIsMap := sv.(map[string]interface{})
		dm, dIsMap := dst[k].(map[string]interface{})
		if sIsMap && dIsMap {
			dst[k] = coalesce(dm, sm)
		} else {
			dst[k] = sv
		}
	}
	return dst
}

var setPart = regexp.MustCompile(`^([^\[\]]+)((?:\[\d+\])*)$`)

// applySet handles `--set a.b.c=value` and `a.list[0]=value`, with YAML typing of the value
// (true, 3, null) as Helm's strvals does; commas separate several assignments.
func applySet(values map[string]interface{}, expr string) {
	for _, assignment := range splitUnescaped(expr, ',') {
		eq := strings.Index(assignment, "=")
		if eq < 0 {
			fail("--set %q: expected key=value", assignment)
		}
		path, raw := assignment[:eq], assignment[eq+1:]
		var value interface{}
		if err := yaml.Unmarshal([]byte(raw), &value); err != nil || raw == "" {
			value = raw
		}
		if _, isMap := value.(map[string]interface{}); isMap {
			value = raw
		}
		keys := splitUnescaped(path, '.')
		var node interface{} = values
		for i, key := range keys {
			m := setPart.FindStringSubmatch(key)
			if m == nil {
				fail("--set %q: bad key %q", assignment, key)
			}
			parent := node.(map[string]interface{})
			last := i == len(keys)-1
			indexes := regexp.MustCompile(`\d+`).FindAllString(m[2], -1)
			if len(indexes) == 0 {
				if last {
					if value == nil {
						delete(parent, m[1])
					} else {
						parent[m[1]] = value
					}
					break
				}
				child, ok := parent[m[1]].(map[string]interface{})
				if !ok {
					child = map[string]interface{}{}
					parent[m[1]] = child
				}
				node = child
				continue
			}
			if len(indexes) > 1 {
				fail("--set %q: nested list indexes are not supported", assignment)
			}
			idx, _ := strconv.Atoi(indexes[0])
			list, _ := parent[m[1]].([]interface{})
			for len(list) <= idx {
				list = append(list, map[string]interface{}{})
			}
			parent[m[1]] = list
			if last {
				list[idx] = value
				break
			}
			child, ok := list[idx].(map[string]interface{})
			if !ok {
				child = map[string]interface{}{}
				list[idx] = child
			}
			node = child
		}
	}
}

func splitUnescaped(s string, sep rune) []string {
	var out []string
	var cur strings.Builder
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == sep:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

func mergedValues(chartDir string, files, sets []string) map[string]interface{} {
	values := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	for _, f := range files {
		values = coalesce(values, readYAMLMap(f))
	}
	for _, s := range sets {
		applySet(values, s)
	}
	return values
}

// ---- Helm's template functions ---------------------------------------------------------------------

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		// Helm's toYaml swallows errors into an empty string too.
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	var a []interface{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// Capabilities mirrors chartutil.Capabilities; APIVersions.Has is what templates call.
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
}

type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (k KubeVersion) String() string { return k.Version }

type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

// Files is .Files: the chart's own files, read relative to its directory (never outside it).
type Files struct{ dir string }

func (f Files) Get(name string) string {
	clean := filepath.Clean("/" + name)
	data, err := os.ReadFile(filepath.Join(f.dir, clean))
	if err != nil {
		return ""
	}
	return string(data)
}

// Glob returns the chart's files matching a pattern, as a map of path to contents.
func (f Files) Glob(pattern string) map[string]string {
	out := map[string]string{}
	matches, _ := filepath.Glob(filepath.Join(f.dir, pattern))
	for _, m := range matches {
		if data, err := os.ReadFile(m); err == nil {
			rel, _ := filepath.Rel(f.dir, m)
			out[rel] = string(data)
		}
	}
	return out
}

// ---- rendering -------------------------------------------------------------------------------------

type renderedObject struct {
	Source string                 `json:"source"`
	Object map[string]interface{} `json:"object"`
}

func render(chartDir string, chart, values map[string]interface{}, name, namespace, kubeVersion string) ([]renderedObject, error) {
	chartName := fmt.Sprint(chart["Name"])
	parts := strings.SplitN(kubeVersion, ".", 3)
	for len(parts) < 2 {
		parts = append(parts, "0")
	}
	caps := Capabilities{
		KubeVersion: KubeVersion{Version: "v" + kubeVersion, Major: parts[0], Minor: parts[1], GitVersion: "v" + kubeVersion},
		APIVersions: VersionSet{
			"v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1",
			"rbac.authorization.k8s.io/v1", "monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor",
		},
	}
	top := map[string]interface{}{
		"Values":       values,
		"Chart":        chart,
		"Release":      map[string]interface{}{"Name": name, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Capabilities": caps,
		"Files":        Files{dir: chartDir},
		"Template":     map[string]interface{}{"Name": "", "BasePath": chartName + "/templates"},
	}

	root := template.New("gotpl")
	funcs := sprig.TxtFuncMap()
	// Helm removes these: a chart must not read the renderer's environment.
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includedNames := map[string]int{}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, fmt.Errorf("%s", msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		// As under `helm template`: no cluster, so every lookup finds nothing.
		return map[string]interface{}{}, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includedNames[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		includedNames[name]++
		defer func() { includedNames[name]-- }()
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Option("missingkey=zero").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse tpl text: %w", err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	root.Option("missingkey=zero").Funcs(funcs)

	templatesDir := filepath.Join(chartDir, "templates")
	var paths []string
	err := filepath.Walk(templatesDir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var names []string
	for _, p := range paths {
		rel, _ := filepath.Rel(chartDir, p)
		tname := chartName + "/" + filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if _, err := root.New(tname).Parse(string(data)); err != nil {
			return nil, fmt.Errorf("parse error in %s: %w", tname, err)
		}
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "_") && base != "NOTES.txt" {
			names = append(names, tname)
		}
	}

	var objects []renderedObject
	for _, tname := range names {
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": tname, "BasePath": chartName + "/templates"}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, tname, data); err != nil {
			return nil, fmt.Errorf("render error in %s: %w", tname, err)
		}
		out := strings.ReplaceAll(buf.String(), "<no value>", "")
		for i, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(out, -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var obj map[string]interface{}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				return nil, fmt.Errorf("%s (document %d) is not valid YAML: %w\n%s", tname, i, err, numbered(doc))
			}
			if obj == nil {
				continue
			}
			objects = append(objects, renderedObject{Source: tname, Object: obj})
		}
	}
	return objects, nil
}

func numbered(doc string) string {
	var b strings.Builder
	for i, line := range strings.Split(doc, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}

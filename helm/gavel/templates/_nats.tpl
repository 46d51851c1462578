{{/*
NATS users: one per app, allowed exactly what its code does (README.md, "NATS users").
The rules per stream S an app reads, per bucket B (stream KV_B) and per durable D:

  read S      $JS.API.STREAM.INFO.S, direct gets ($JS.API.DIRECT.GET.S and .S.>),
              ephemeral and ordered consumers ($JS.API.CONSUMER.{CREATE,INFO,DELETE,
              MSG.NEXT}.S...), flow-control replies of push consumers ($JS.FC.S.>)
  manage S    also $JS.API.STREAM.CREATE.S and $JS.API.STREAM.UPDATE.S
  durable D   $JS.API.CONSUMER.DURABLE.CREATE.S.D and acks ($JS.ACK.S.D.>); every other
              user that reads S is denied creating, deleting or pulling from D
  write B     also $JS.API.STREAM.CREATE.KV_B and puts ($KV.B.>)

and for everyone $JS.API.INFO (the JetStream client checks the account first) and
subscriptions on _INBOX.> only (replies, deliveries, direct-get answers).
*/}}

{{/* The streams an app reads, names resolved: (dict "root" $ "app" $app) -> JSON list. */}}
{{- define "gavel.nats.readStreams" -}}
{{- $names := list }}
{{- range .app.nats.streams }}{{ $names = append $names (tpl .name $.root) }}{{ end }}
{{- range .app.nats.buckets }}{{ $names = append $names (printf "KV_%s" .name) }}{{ end }}
{{- $names | uniq | toRawJson }}
{{- end }}

{{/*
One user's permissions as JSON, which NATS reads: (dict "root" $ "name" "edge"). Raw JSON,
since toJson would write ">" as an escape sequence.
*/}}
{{- define "gavel.nats.permissions" -}}
{{- $root := .root }}
{{- $app := index $root.Values.apps .name }}
{{- $allow := list "$JS.API.INFO" }}
{{- $reads := include "gavel.nats.readStreams" (dict "root" $root "app" $app) | fromJsonArray }}
{{- range $s := $reads }}
{{- $allow = concat $allow (list
  (printf "$JS.API.STREAM.INFO.%s" $s)
  (printf "$JS.API.DIRECT.GET.%s" $s)
  (printf "$JS.API.DIRECT.GET.%s.>" $s)
  (printf "$JS.API.CONSUMER.CREATE.%s" $s)
  (printf "$JS.API.CONSUMER.CREATE.%s.>" $s)
  (printf "$JS.API.CONSUMER.INFO.%s.*" $s)
  (printf "$JS.API.CONSUMER.DELETE.%s.*" $s)
  (printf "$JS.API.CONSUMER.MSG.NEXT.%s.*" $s)
  (printf "$JS.FC.%s.>" $s)) }}
{{- end }}
{{- range $stream := $app.nats.streams }}
{{- $s := tpl $stream.name $root }}
{{- if $stream.manage }}
{{- $allow = concat $allow (list (printf "$JS.API.STREAM.CREATE.%s" $s) (printf "$JS.API.STREAM.UPDATE.%s" $s)) }}
{{- end }}
{{- range $d := $stream.durables }}
{{- $allow = concat $allow (list (printf "$JS.API.CONSUMER.DURABLE.CREATE.%s.%s" $s $d) (printf "$JS.ACK.%s.%s.>" $s $d)) }}
{{- end }}
{{- end }}
{{- range $bucket := $app.nats.buckets }}
{{- if $bucket.write }}
{{- $allow = concat $allow (list (printf "$JS.API.STREAM.CREATE.KV_%s" $bucket.name) (printf "$KV.%s.>" $bucket.name)) }}
{{- end }}
{{- end }}
{{- range $app.nats.publish }}{{ $allow = append $allow (tpl . $root) }}{{ end }}
{{- $deny := list }}
{{- range $other := include "gavel.enabledApps" $root | fromJsonArray }}
{{- if ne $other $.name }}
{{- range $stream := (index $root.Values.apps $other).nats.streams }}
{{- $s := tpl $stream.name $root }}
{{- if has $s $reads }}
{{- range $d := $stream.durables }}
{{- $deny = concat $deny (list
  (printf "$JS.API.CONSUMER.CREATE.%s.%s" $s $d)
  (printf "$JS.API.CONSUMER.CREATE.%s.%s.>" $s $d)
  (printf "$JS.API.CONSUMER.DURABLE.CREATE.%s.%s" $s $d)
  (printf "$JS.API.CONSUMER.DELETE.%s.%s" $s $d)
  (printf "$JS.API.CONSUMER.MSG.NEXT.%s.%s" $s $d)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- $publish := dict "allow" (uniq $allow) }}
{{- if $deny }}{{ $_ := set $publish "deny" (uniq $deny) }}{{ end }}
{{- dict "publish" $publish "subscribe" (dict "allow" (list "_INBOX.>")) | toRawJson }}
{{- end }}

{{/* The environment variable a user's password reaches the NATS config in. */}}
{{- define "gavel.nats.passwordEnv" -}}
{{- printf "NATS_PASSWORD_%s" (upper .) }}
{{- end }}

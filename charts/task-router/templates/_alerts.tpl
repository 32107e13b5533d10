{{/*
The alert rules, in the format of a Prometheus rule file's `groups`. Every expression aggregates
by namespace and job so that two installations never mix, and max() over replicas picks the
leader's view of gauges that only the leader fills (standbys report 0).
*/}}
{{- define "task-router.alertGroups" -}}
{{- $r := .Values.prometheusRule -}}
- name: task-router
  rules:
    - alert: TaskRouterNoLiveAgents
      expr: max by (namespace, job) (sum by (namespace, job, pod) (taskrouter_agents)) == 0
      for: 5m
      labels:
        severity: critical
        {{- with $r.alertLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: No task-router agent is registered.
        description: >-
          The task-router leader in {{`{{ $labels.namespace }}`}} has seen no live agent for 5
          minutes; no Task can run. Check the agent pods and their CURVE keys.
    - alert: TaskRouterTasksPendingTooLong
      expr: >-
        max by (namespace, job) (taskrouter_tasks{phase="Pending"}) > 0
        unless on (namespace, job)
        sum by (namespace, job) (increase(taskrouter_task_transitions_total{phase=~"Waiting|Running"}[{{ $r.pendingMinutes }}m])) > 0
      for: {{ $r.pendingMinutes }}m
      labels:
        severity: warning
        {{- with $r.alertLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: Tasks stay Pending and none starts.
        description: >-
          {{`{{ $value }}`}} Tasks in {{`{{ $labels.namespace }}`}} have been Pending for
          {{ $r.pendingMinutes }} minutes while no Task started; agents may be full or match no
          agentSelector (see the reason in kubectl get tasks -o wide).
    - alert: TaskRouterDispatchFailures
      expr: sum by (namespace, job) (rate(taskrouter_dispatch_failures_total[5m])) > {{ $r.dispatchFailuresPerSecond }}
      for: 10m
      labels:
        severity: warning
        {{- with $r.alertLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: Dispatches to agents keep failing.
        description: >-
          {{`{{ $value | humanize }}`}} dispatches per second fail in {{`{{ $labels.namespace }}`}};
          agents may be unreachable (NetworkPolicy, CURVE keys) or refusing work.
    - alert: TaskRouterNoLeader
      expr: sum by (namespace, job) (taskrouter_leader) != 1
      for: 2m
      labels:
        severity: critical
        {{- with $r.alertLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: task-router does not have exactly one leader.
        description: >-
          {{`{{ $value }}`}} controller replicas in {{`{{ $labels.namespace }}`}} claim the
          leader Lease; with none, no Task is routed.
    - alert: TaskRouterHighFailureRatio
      expr: >-
        sum by (namespace, job) (rate(taskrouter_task_transitions_total{phase="Failed"}[15m]))
        /
        sum by (namespace, job) (rate(taskrouter_task_transitions_total{phase=~"Complete|Failed"}[15m]))
        > {{ $r.failureRatio }}
      for: 15m
      labels:
        severity: warning
        {{- with $r.alertLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        summary: Most finished Tasks fail.
        description: >-
          {{`{{ $value | humanizePercentage }}`}} of the Tasks that finished in
          {{`{{ $labels.namespace }}`}} in the last 15 minutes failed.
{{- end -}}

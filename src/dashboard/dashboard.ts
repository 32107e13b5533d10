import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import { ROWS, type PanelSpec } from './panels.js';

/** The dashboard's fixed uid, so links and provisioning updates keep pointing at it. */
export const DASHBOARD_UID = 'task-router';

/**
 * Every query uses this datasource variable rather than a datasource uid, so the JSON imports
 * through file provisioning as it is, with no `__inputs` to fill in.
 */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Panels per row; Grafana's grid is 24 units wide. */
const PANELS_PER_ROW = 3;
const PANEL_HEIGHT = 8;

function panel(spec: PanelSpec): PanelBuilder {
  const builder = new PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .min(0)
    .height(PANEL_HEIGHT)
    .span(24 / PANELS_PER_ROW)
    .fillOpacity(spec.stacked === true ? 40 : 10);
  if (spec.stacked === true)
    builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  spec.queries.forEach((q, i) => {
    builder.withTarget(
      new DataqueryBuilder()
        .datasource(DATASOURCE)
        .expr(q.expr)
        .legendFormat(q.legend)
        .refId(String.fromCharCode(65 + i)),
    );
  });
  return builder;
}

function labelVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .includeAll(true)
    .allValue('.*')
    .multi(true)
    .current({ selected: true, text: 'All', value: '$__all' });
}

/**
 * Builds the task-router Grafana dashboard as the plain JSON object Grafana stores. The SDK marks
 * the classic schema deprecated in favour of dashboard v2, but file provisioning and the Grafana
 * sidecar load classic JSON, so that is what ships.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- classic JSON on purpose, see above
export function buildDashboard(): Dashboard {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- classic JSON on purpose
  const builder = new DashboardBuilder('task-router')
    .uid(DASHBOARD_UID)
    .description('Tasks, agents and the controller of task-router.')
    .tags(['task-router', 'kubernetes'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    )
    .withVariable(
      labelVariable('namespace', 'Namespace', 'label_values(taskrouter_leader, namespace)'),
    )
    .withVariable(
      labelVariable('job', 'Job', 'label_values(taskrouter_leader{namespace=~"$namespace"}, job)'),
    );
  for (const row of ROWS) {
    builder.withRow(new RowBuilder(row.title));
    for (const spec of row.panels) builder.withPanel(panel(spec));
  }
  return builder.build();
}

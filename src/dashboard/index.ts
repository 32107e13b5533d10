export { DASHBOARD_UID, buildDashboard } from './dashboard.js';
export { ROWS, type PanelQuery, type PanelSpec, type RowSpec } from './panels.js';

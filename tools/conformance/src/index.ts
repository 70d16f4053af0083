export { runConformance, normaliseUrl, type ConformanceOptions } from './run';
export {
  formatCheck,
  formatReport,
  toJUnitXml,
  type CheckResult,
  type CheckStatus,
  type Report,
} from './report';

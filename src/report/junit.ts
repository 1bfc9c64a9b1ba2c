/**
 * JUnit XML for CI systems: one test case per corpus file replayed and one per campaign failure
 * signature (or a single passing "campaign" case).
 */
export interface JunitCase {
  name: string;
  className: string;
  failure: string | null;
  timeSeconds: number;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function junitXml(suite: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure !== null).length;
  const time = cases.reduce((sum, c) => sum + c.timeSeconds, 0);
  const body = cases.map((c) => {
    const open = `    <testcase classname="${escapeXml(c.className)}" name="${escapeXml(c.name)}" time="${c.timeSeconds.toFixed(3)}"`;
    if (c.failure === null) return `${open}/>`;
    const message = escapeXml(c.failure.split('\n')[0]);
    return `${open}>\n      <failure message="${message}">${escapeXml(c.failure)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cmacheck" tests="${cases.length}" failures="${failures}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}" time="${time.toFixed(3)}">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

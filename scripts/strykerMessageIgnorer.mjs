/**
 * Stryker ignore-plugin for the mutation run (stryker.config.mjs "ignorers": ["messages"]):
 * mutants that cannot change what model/ or impl/ do on any state they can reach are reported
 * as Ignored instead of being run. Two kinds:
 *
 * Assertions. An assertion checks the code, it is not behaviour: on a correct model or impl its
 * condition always holds, so a mutant that weakens it (`assert(true, …)`, a changed operand that
 * still holds) is an equivalent mutant, and one that makes it fail is killed by the first test
 * that reaches it, which says nothing the tests did not already say. Ignored:
 * - `assert(...)` calls, condition and message (src/core/assert.ts), and `maybe(...)`, which is
 *   documentation only;
 * - the test of an `if` whose only statement throws an AssertionError, RangeError or Error or
 *   calls `assert(false, …)` (an inline assertion), and the thrown error's arguments.
 * The statement holding an assertion can still be removed by a BlockStatement mutant of the
 * enclosing block, and what an assertion guards is still mutated.
 *
 * Messages. The text of a finding impl's verify() pushes: it is built only on an inconsistent
 * state (properties/mutation-found/implVerify.spec.ts checks that each check fires).
 */
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

/**
 * Errors that report a broken assumption of the code. Not InputError (src/core/inputError.ts):
 * refusing bad input is behaviour, and its tests check it.
 */
const ASSERTION_ERRORS = new Set(['AssertionError', 'RangeError', 'Error']);
const isErrorName = (name) => ASSERTION_ERRORS.has(name);

/** `throw new XError(…)` or `assert(false, …)`, alone or as the only statement of a block. */
function isInlineAssertion(statement) {
  const only = statement.type === 'BlockStatement' && statement.body.length === 1
    ? statement.body[0] : statement;
  if (only.type === 'ThrowStatement') {
    const argument = only.argument;
    return argument?.type === 'NewExpression' && argument.callee.type === 'Identifier'
      && isErrorName(argument.callee.name);
  }
  if (only.type !== 'ExpressionStatement' || only.expression.type !== 'CallExpression') {
    return false;
  }
  const { callee, arguments: args } = only.expression;
  return callee.type === 'Identifier' && callee.name === 'assert'
    && args[0]?.type === 'BooleanLiteral' && args[0].value === false;
}

class AssertionIgnorer {
  shouldIgnore(path) {
    const { node } = path;
    if (path.isCallExpression() && node.callee.type === 'Identifier'
      && (node.callee.name === 'assert' || node.callee.name === 'maybe')) {
      return `${node.callee.name}(): an assertion, not behaviour (equivalent when weakened)`;
    }
    if (path.isNewExpression() && path.parentPath?.isThrowStatement()
      && node.callee.type === 'Identifier' && isErrorName(node.callee.name)) {
      return 'thrown error: an assertion failure, its message is not behaviour';
    }
    const parent = path.parentPath;
    if (parent?.isIfStatement() && parent.node.test === node && parent.node.alternate === null
      && isInlineAssertion(parent.node.consequent)) {
      return 'inline assertion: the test of an if that only throws';
    }
    if (parent?.isCallExpression() && parent.node.callee.type === 'MemberExpression'
      && parent.node.callee.object.type === 'Identifier'
      && parent.node.callee.object.name === 'findings'
      && parent.node.callee.property.type === 'Identifier'
      && parent.node.callee.property.name === 'push'
      && (path.isStringLiteral() || path.isTemplateLiteral())) {
      return 'verify() finding text: pushed only on an inconsistent state';
    }
    return undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'messages', AssertionIgnorer)];

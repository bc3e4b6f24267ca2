// Lint: a small, strict rule set on top of the type checker (tsc already enforces strict mode). Each rule here
// catches a class of bug tsc cannot, or keeps a habit the code relies on; `npm test` and CI run it.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/protocol/generated/**', 'src/protocol/error-codes.ts', 'perf/results/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // No `any` on any surface: unknown plus a check is always possible.
      '@typescript-eslint/no-explicit-any': 'error',
      // A promise nobody awaits loses its error: await it, return it, or mark it `void` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // Type-only imports stay erased (verbatimModuleSyntax relies on them being marked).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // == and != coerce; the protocol code compares numbers that must not be coerced.
      eqeqeq: ['error', 'always'],
      // Throwing strings loses the stack and the error code.
      '@typescript-eslint/only-throw-error': 'error',
      // A switch over a union handles every member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
);

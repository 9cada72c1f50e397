import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [
        { name: 'child_process', message: 'connbot never runs a shell: use an API client.' },
        { name: 'node:child_process', message: 'connbot never runs a shell: use an API client.' },
      ] }],
    },
  },
  {
    files: ['test/**', 'demo/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);

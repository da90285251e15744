import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startLive } from './data/live';
import { queryClient } from './data/queries';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
// The bridge opens before the first render, so the first queries already have it.
startLive();
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);

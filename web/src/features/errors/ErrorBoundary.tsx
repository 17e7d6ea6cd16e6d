import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ServerErrorPage } from './ServerErrorPage';

export interface ErrorBoundaryProps {
  children: ReactNode;
  /** When this value changes (e.g. the path), a shown error is cleared and children render again. */
  resetKey?: unknown;
  /** Replaces the 500 page (the outermost boundary uses a fallback that needs no services). */
  fallback?: ReactNode;
}

interface State {
  error: unknown;
  resetKey: unknown;
}

/** Catches render errors below it and shows the 500 page instead of a blank screen. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, State> {
  state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error ?? new Error('unknown render error') };
  }

  static getDerivedStateFromProps(props: ErrorBoundaryProps, state: State): Partial<State> | null {
    if (props.resetKey !== state.resetKey) return { error: null, resetKey: props.resetKey };
    return null;
  }

  componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Kino: a page failed to render', error, info.componentStack);
  }

  render(): ReactNode {
    if (this.state.error) return this.props.fallback ?? <ServerErrorPage />;
    return this.props.children;
  }
}
